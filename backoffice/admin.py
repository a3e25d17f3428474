from django.contrib import admin

from .models import SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """Saved searches are their owners' own; here an admin sees them, renames or removes one."""

    list_display = ("name", "owner", "queue", "team", "created_at")
    list_filter = ("queue", "team")
    search_fields = ("name", "owner__username", "owner__last_name")
    list_select_related = ("owner", "team")
    raw_id_fields = ("owner",)  # no list of every user
