from django.contrib import admin

from .models import Alert, Calendar, Closure, OpeningRange, ServiceLevel, TeamCalendar


class OpeningRangeInline(admin.TabularInline):
    model = OpeningRange
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "public_holidays"]
    inlines = [OpeningRangeInline, ClosureInline]


@admin.register(TeamCalendar)
class TeamCalendarAdmin(admin.ModelAdmin):
    list_display = ["team", "calendar"]
    list_select_related = ["team", "calendar"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "type",
        "priority",
        "theme",
        "team",
        "take_time",
        "take_unit",
        "resolve_time",
        "resolve_unit",
        "warning_percent",
        "is_active",
    ]
    list_filter = ["type", "priority", "is_active"]
    list_select_related = ["theme", "team"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["ticket", "target", "level", "team", "due_at", "created_at"]
    list_filter = ["target", "level"]
    list_select_related = ["ticket", "team"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
