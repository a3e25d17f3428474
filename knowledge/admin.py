from django.contrib import admin

from core.html import clean_html

from .models import Article, Attachment, Revision


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = True


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ("created_at", "author", "title")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles are written in the back office; admins tidy up here."""

    list_display = ("title", "visibility", "category", "views", "helpful_yes", "updated_at")
    list_filter = ("visibility", "category")
    search_fields = ("title", "keywords")
    readonly_fields = ("author", "created_at", "updated_at", "views", "helpful_yes", "helpful_no")
    inlines = [AttachmentInline, RevisionInline]

    def save_model(self, request, obj, form, change):
        obj.body = clean_html(obj.body)  # shown as HTML in the FAQ: cleaned like any edit
        super().save_model(request, obj, form, change)
