from django import forms
from django.urls import reverse_lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import DomainError
from core.files import check_upload
from core.forms import (
    Form,
    IdField,
    IdsField,
    ModelForm,
    MultipleFileField,
    PageForm,
    PersonField,
    RichTextMixin,
    places_picker,
)
from core.html import clean_html, rich_text
from notifications.models import REQUIRED_EVENTS, Event
from tickets.models import Level, Ticket
from tickets.selectors import find_place

from .models import PendingUpload, ThemeQuestion


def _question_field(question: ThemeQuestion) -> forms.Field:
    # Django prints help texts as HTML: an admin's text is escaped first.
    common = {"label": question.label, "help_text": escape(question.help_text), "required": False}
    return question.kind_of_answer.field(question, **common)


class AttachmentsMixin:
    """Files sent with a form: new ones checked one by one, and those kept from a former try."""

    def uploads(self, owner) -> tuple[list, list[PendingUpload], list[str]]:
        """The accepted new files, the kept ones still there, and errors naming the others."""
        accepted, errors = [], []
        for upload in self.files.getlist("files"):
            try:
                check_upload(upload)
            except DomainError as error:
                errors.append(str(error))
            else:
                accepted.append(upload)
        ids = self.cleaned_data.get("pending", []) if hasattr(self, "cleaned_data") else []
        kept = list(PendingUpload.objects.filter(owner=owner, pk__in=ids))
        return accepted, kept, errors


class TicketForm(AttachmentsMixin, RichTextMixin, forms.Form):
    """A theme's form: the brief's fields, then the theme's own questions."""

    FOR_ME, FOR_SOMEONE_ELSE = "me", "other"
    rich_fields = ("description",)

    title = forms.CharField(
        label=_("Subject"),
        max_length=255,
        # While the subject is typed, matching FAQ answers appear below it (htmx).
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("knowledge:suggestions"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#faq-suggestions",
                "hx-sync": "this:replace",
            }
        ),
    )
    for_whom = forms.ChoiceField(
        label=_("I request IT support"),
        choices=[(FOR_ME, _("For me")), (FOR_SOMEONE_ELSE, _("For someone else"))],
        widget=forms.RadioSelect,
        initial=FOR_ME,
    )
    beneficiary = PersonField(label=_("Person concerned"), required=False)
    urgency = forms.TypedChoiceField(
        label=_("Select the urgency of your need"),
        choices=Level.choices,
        coerce=int,
        initial=Level.MEDIUM,
    )
    location_mode = forms.ChoiceField(
        label=_("Location type"),
        choices=Ticket.LocationMode.choices,
        widget=forms.RadioSelect,
        initial=Ticket.LocationMode.ON_SITE,
    )
    location = forms.CharField(
        label=_(
            "Select the place where you are now, or the one you belong to if you are teleworking"
        ),
        max_length=1000,
        help_text=_("Type part of the name of a campus, building or room."),
        widget=places_picker(),
    )
    type = forms.ChoiceField(
        label=_("Select your need"),
        choices=[
            (
                Ticket.Type.INCIDENT,
                _("Report an incident: it used to work and it does not work any more"),
            ),
            (
                Ticket.Type.REQUEST,
                _(
                    "Make a request: I need functional help, an access, a piece of "
                    "equipment, a software, some information..."
                ),
            ),
        ],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("Additional information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "rich-text"}),
        help_text=_("Please give below all the information needed to handle your ticket."),
    )
    description_format = forms.CharField(required=False, widget=forms.HiddenInput)
    files = MultipleFileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("File(s) (50 MiB maximum each). You can also paste a screenshot."),
    )
    pending = IdsField(required=False)

    def __init__(self, *args, user, questions, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.questions = questions
        if user.default_location_id and not self.is_bound:
            self.initial.setdefault("location", user.default_location.full_name)
        for question in questions:
            self.fields[question.field_name] = _question_field(question)
        for name, field in self.fields.items():
            if field.required or self._question_required(name):
                field.label = f"{field.label} *"
        self.clean_editor_data()

    def _question_required(self, name: str) -> bool:
        return any(q.field_name == name and q.required for q in self.questions)

    def clean_location(self):
        location = find_place(self.cleaned_data["location"])
        if location is None:
            raise forms.ValidationError(_("Choose a place in the list."))
        return location

    def clean_description(self):
        return self.rich_value("description")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("for_whom") != self.FOR_SOMEONE_ELSE:
            # For oneself: whatever was left in the person box does not count.
            self.errors.pop("beneficiary", None)
            cleaned["beneficiary"] = None
        elif "beneficiary" not in self.errors and cleaned.get("beneficiary") is None:
            self.add_error(
                "beneficiary", _("Choose the person in the list (type a name or e-mail).")
            )
        for question in self.questions:
            name = question.field_name
            if not self.is_shown(question):
                # A hidden question's answer is dropped, whatever the browser sent.
                cleaned.pop(name, None)
                self.errors.pop(name, None)
                continue
            if question.required and cleaned.get(name) in (None, "", []):
                self.add_error(name, forms.Field.default_error_messages["required"])
        return cleaned

    def raw_answer(self, question: ThemeQuestion):
        field = self[question.field_name]
        return field.value() if self.is_bound else field.initial

    def is_shown(self, question: ThemeQuestion, seen: frozenset = frozenset()) -> bool:
        """Tell whether a question applies, given the answers of the questions it depends on."""
        parent = question.show_if_question
        if parent is None:
            return True
        parent = next((q for q in self.questions if q.pk == parent.pk), None)
        if parent is None or parent.pk in seen or not self.is_shown(parent, seen | {question.pk}):
            return False
        return parent.kind_of_answer.matches(self.raw_answer(parent), question.show_if_value)

    def answers(self) -> list[dict]:
        """The theme questions' answers, labelled, in the form's order, as stored on the ticket."""
        result = []
        for question in self.questions:
            value = self.cleaned_data.get(question.field_name)
            if value in (None, "", []):
                continue
            text = question.kind_of_answer.stored(value, self.fields[question.field_name])
            result.append({"question": question.pk, "label": question.label, "value": text})
        return result


class FollowupForm(AttachmentsMixin, Form):
    """A message from the requester's side, with files; the page writes its fields itself."""

    # The size of a request bounds the text (DATA_UPLOAD_MAX_MEMORY_SIZE).
    content_format = forms.ChoiceField(choices=[("html", "html"), ("text", "text")], required=False)
    content = forms.CharField(required=False, strip=False)
    files = MultipleFileField(required=False)
    pending = IdsField(required=False)

    def typed(self) -> tuple[str, str]:
        """What was typed, as the page may show it back after an error, and its format."""
        text_format = self.cleaned_data.get("content_format", "")
        typed = self.data.get("content", "")
        # The editor's HTML goes back into the page cleaned, never as it was sent.
        return (clean_html(typed) if text_format == "html" else typed), text_format

    def clean_content(self):
        return rich_text(self.cleaned_data["content"], self.cleaned_data.get("content_format", ""))


class RefusalForm(Form):
    reason = forms.CharField(required=False)

    def clean_reason(self):
        return rich_text(self.cleaned_data["reason"], "text")


class MyTicketsForm(PageForm):
    """The filters of "Mes demandes d'assistance"; a forged value is dropped."""

    STATES = [
        ("all", _("All my tickets")),
        ("open", _("Open tickets")),
        ("closed", _("Closed tickets")),
    ]

    q = forms.CharField(required=False, max_length=200)
    state = forms.ChoiceField(choices=STATES, required=False)


class FollowsForm(Form):
    """A new request that follows a closed one: "?suite=<its number>"."""

    suite = IdField(required=False)

    def number(self) -> int | None:
        return self.values().get("suite")


OPTIONAL_EVENTS = [(event.value, event.label) for event in Event if event not in REQUIRED_EVENTS]


class ProfileForm(ModelForm):
    """What a person may change about themself; their name and e-mail come from the university."""

    default_location = forms.CharField(
        label=_("Default location"),
        required=False,
        max_length=1000,
        help_text=_("Proposed in the forms of your tickets. Type part of its name."),
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

    def changes(self) -> dict:
        """The profile_update arguments for the valid form."""
        wanted = set(self.cleaned_data["wanted"])
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {
            **fields,
            "default_location": self.cleaned_data["default_location"],
            "muted_notifications": [e for e, _label in OPTIONAL_EVENTS if e not in wanted],
        }
