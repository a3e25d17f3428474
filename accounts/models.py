from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.people import display_name


class User(AbstractUser):
    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=Language, default=Language.FRENCH
    )
    # From the university's directory at each single sign-on (SUPANN, eduPerson).
    department = models.CharField(_("department"), max_length=255, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=255, blank=True)
    # Kinds of message (notifications.models.Event) the user chose not to receive.
    muted_notifications = models.JSONField(_("muted notifications"), default=list, blank=True)
    # A technician's choice on the ticket page, kept from one visit to the next.
    newest_first = models.BooleanField(_("latest items first in a ticket"), default=False)
    default_location = models.ForeignKey(
        "tickets.Location",
        verbose_name=_("default location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_display_name()

    def get_display_name(self) -> str:
        return display_name(self.display_name, self.first_name, self.last_name, self.username)
