from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Category,
    Document,
    Followup,
    HelpdeskSettings,
    History,
    Location,
    RoutingRule,
    Solution,
    Task,
    Team,
    TeamMembership,
    Theme,
    Ticket,
    TicketLink,
)


def name_inputs(form):
    """Give each input its field's label and its row's object: Django's tables do not."""
    for field in form.fields.values():
        label = capfirst(field.label)
        if form.instance.pk:
            label = _("%(field)s: %(object)s") % {"field": label, "object": form.instance}
        field.widget.attrs["aria-label"] = label


class LabelledListEditableMixin:
    """Name the editable cells of a changelist, which only a column header describes."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                name_inputs(self)

        return LabelledForm


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs, the deletion box included, have a name."""

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                name_inputs(form)

        return LabelledFormSet


class TreeAdmin(admin.ModelAdmin):
    """Show a tree as an indented list in path order, searchable by any part of the path."""

    list_display = ("indented_name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("full_name",)
    ordering = ("full_name",)
    autocomplete_fields = ("parent",)

    def save_model(self, request, obj, form, change):
        services.tree_node_save(node=obj)

    @admin.display(description=_("name"), ordering="full_name")
    def indented_name(self, obj):
        # Indented with spaces, not a style attribute: the admin's policy refuses those.
        return format_html("{}{}{}", "\u00a0" * 4 * obj.depth, "└ " if obj.depth else "", obj.name)


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    pass


@admin.register(Location)
class LocationAdmin(TreeAdmin):
    list_display = ("indented_name", "kind", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(Theme)
class ThemeAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ("__str__", "position", "description", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent", "category")


class TeamMembershipInline(LabelledTabularInline):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "email", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    inlines = [TeamMembershipInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ("position", "name", "theme", "category", "location", "team", "is_active")
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("team", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("theme", "category", "location", "team", "assignee", "observers")


@admin.register(HelpdeskSettings)
class HelpdeskSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "auto_close_days", "auto_close_day_kind", "default_team")
    autocomplete_fields = ("default_team",)

    def has_add_permission(self, request):
        return not HelpdeskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Timeline rows are shown, never edited here: changes go through the workflow."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FollowupInline(ReadOnlyInline):
    model = Followup
    fields = ("created_at", "author", "is_private", "content")


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("created_at", "author", "state", "assigned_user", "assigned_team", "content")


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ("created_at", "uploaded_by", "original_name", "size", "is_private")


class SolutionInline(ReadOnlyInline):
    model = Solution
    fields = ("created_at", "author", "status", "decided_by", "decided_at", "content")


class HistoryInline(ReadOnlyInline):
    model = History
    fields = ("created_at", "actor", "field", "old_value", "new_value")


class TicketLinkInline(ReadOnlyInline):
    model = TicketLink
    fk_name = "from_ticket"
    fields = ("kind", "to_ticket", "created_by", "created_at")
    verbose_name_plural = _("links from this ticket")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets are read here; they change only through the workflow's services."""

    list_display = ("id", "title", "status", "priority", "team", "assignee", "last_activity_at")
    list_filter = ("status", "type", "priority", "team")
    search_fields = ("=id", "title")
    list_select_related = ("team", "assignee")
    date_hierarchy = "created_at"
    inlines = [
        FollowupInline,
        TaskInline,
        DocumentInline,
        SolutionInline,
        TicketLinkInline,
        HistoryInline,
    ]
    exclude = ("answers",)
    readonly_fields = ("theme_answers",)

    @admin.display(description=_("answers to the theme's questions"))
    def theme_answers(self, obj):
        rows = format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((a["label"], a["value"]) for a in obj.answers)
        )
        return format_html("<dl>{}</dl>", rows) if obj.answers else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
