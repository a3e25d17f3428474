from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "display_name", "is_active", "is_staff")
    search_fields = ("username", "email", "display_name", "first_name", "last_name")
    autocomplete_fields = ("default_location",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Help profile"), {"fields": ("display_name", "phone", "language", "default_location")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((None, {"fields": ("email",)}),)
