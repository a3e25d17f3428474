from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Help — administration")
admin.site.site_title = _("Help")
admin.site.index_title = _("Configuration")

urlpatterns = [
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("intervention/", include("backoffice.urls")),
    path("", include("knowledge.urls")),
    path("", include("portal.urls")),
]
# Uploaded files are never served from a public URL: only through views that check
# the ticket first (portal:document, backoffice:document).
