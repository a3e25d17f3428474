from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits, what was given up (and can be tried again)."""

    list_display = ("created_at", "event", "email", "ticket", "state", "attempts", "sent_at")
    list_filter = ("state", "event")
    search_fields = ("email", "=ticket__id")
    list_select_related = ("ticket",)
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try to send them again"))
    def retry(self, request, queryset):
        queryset.exclude(state=Notification.State.SENT).update(
            state=Notification.State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
