from django.contrib import admin

from core.html import clean_html

from .models import CannedAnswer


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    """Technicians keep their teams' answers in the back office; admins see them all here."""

    list_display = ("title", "team", "usable_for", "is_active", "usage_count", "updated_at")
    list_filter = ("is_active", "usable_for", "team")
    search_fields = ("title", "body")
    list_select_related = ("team",)
    readonly_fields = ("usage_count", "created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.body = clean_html(obj.body)  # shown as HTML in the composer: cleaned like any edit
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
