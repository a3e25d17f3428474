from django.contrib import admin

from tickets.admin import ThemeAdmin
from tickets.models import Theme

from .models import AccessibilityStatement, ThemeQuestion


class ThemeQuestionInline(admin.StackedInline):
    model = ThemeQuestion
    fk_name = "theme"
    extra = 0
    fields = (
        ("label", "kind", "required", "position"),
        "help_text",
        "choices",
        ("show_if_question", "show_if_value"),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A condition can only name another question of the same theme.
        if db_field.name == "show_if_question":
            theme_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = ThemeQuestion.objects.filter(theme_id=theme_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin.site.unregister(Theme)


@admin.register(Theme)
class ThemeWithQuestionsAdmin(ThemeAdmin):
    inlines = [ThemeQuestionInline]


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not AccessibilityStatement.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
