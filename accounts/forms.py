from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import places_picker
from notifications.models import REQUIRED_EVENTS, Event
from tickets.selectors import find_place

from .models import User

OPTIONAL_EVENTS = [(event.value, event.label) for event in Event if event not in REQUIRED_EVENTS]


class ProfileForm(forms.ModelForm):
    """What a person may change about themself; their name and e-mail come from the university."""

    default_location = forms.CharField(
        label=_("Default location"),
        required=False,
        max_length=1000,
        help_text=_("Proposed in your requests' forms. Type part of its name."),
        widget=places_picker(),
    )
    wanted = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        choices=OPTIONAL_EVENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = ["display_name", "phone", "language"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        user = self.instance
        if user.default_location_id:
            self.initial["default_location"] = user.default_location.full_name
        muted = set(user.muted_notifications or [])
        self.initial["wanted"] = [event for event, _label in OPTIONAL_EVENTS if event not in muted]

    def clean_default_location(self):
        text = self.cleaned_data["default_location"]
        if not text.strip():
            return None
        location = find_place(text)
        if location is None:
            raise forms.ValidationError(_("Choose a place in the list."))
        return location

    def save(self, commit=True):
        user = super().save(commit=False)
        user.default_location = self.cleaned_data["default_location"]
        wanted = set(self.cleaned_data["wanted"])
        user.muted_notifications = [e for e, _label in OPTIONAL_EVENTS if e not in wanted]
        if commit:
            user.save()
        return user
