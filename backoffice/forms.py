"""Back-office forms: they only validate; the views call the services."""

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import (
    Form,
    IdField,
    IdsField,
    MultipleFileField,
    PageForm,
    PersonField,
    PickerInput,
)
from tickets import links, selectors, workflow
from tickets.models import Category, Location, Priority, Task, Team, Ticket

# Sorts a technician may ask for: the URL names one of these keys, never a column.
SORTS = {
    "activity": ("-last_activity_at", _("Latest activity first")),
    "oldest": ("created_at", _("Oldest first")),
    "newest": ("-created_at", _("Newest first")),
    "priority": ("-priority", _("Highest priority first")),
    "number": ("-id", _("Number")),
    "title": ("title", _("Title")),
    "status": ("status", _("Status")),
}


def technicians():
    return (
        get_user_model()
        .objects.filter(is_active=True, team_memberships__team__is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_display_name()


class QueueFilterForm(Form):
    """Filters of a queue; a forged or stale value is dropped, never passed to the ORM."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.TypedMultipleChoiceField(
        label=_("Status"),
        choices=Ticket.Status.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any"))] + Priority.choices,
        coerce=int,
        required=False,
        empty_value=None,
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any"))] + Ticket.Type.choices, required=False
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.filter(is_active=True), required=False
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[(key, label) for key, (_column, label) in SORTS.items()],
        required=False,
    )

    def query(self) -> QueryDict:
        """The filters as the page sent them, the valid ones only: to remember, to page on."""
        valid = self.values()
        query = QueryDict(mutable=True)
        for name in self.fields:
            if name in valid:
                query.setlist(name, self.data.getlist(name))
        return query


class QueuePageForm(PageForm):
    reset = forms.BooleanField(required=False)


class SelectionForm(Form):
    """The rows ticked in a queue; a forged number is dropped."""

    tickets = IdsField(required=False)


class BulkActionForm(Form):
    ACTIONS = [
        ("take", _("Take them")),
        ("assign", _("Give them to a technician")),
        ("transfer", _("Transfer them to a team")),
        ("priority", _("Change their priority")),
    ]

    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = UserChoiceField(label=_("Technician"), queryset=technicians(), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    comment = forms.CharField(label=_("Comment (for a transfer)"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, required=False
    )

    def __init__(self, *args, ticket_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(pk, pk) for pk in ticket_ids]
        self.fields["assignee"].queryset = technicians()

    def clean(self):
        cleaned = super().clean()
        needs = {"assign": "assignee", "transfer": "team", "priority": "priority"}
        field = needs.get(cleaned.get("action"))
        if field and cleaned.get(field) in (None, ""):
            self.add_error(field, forms.Field.default_error_messages["required"])
        if cleaned.get("action") == "transfer" and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why you transfer the tickets."))
        return cleaned


class TicketFieldsForm(forms.ModelForm):
    """The header of the work page: what a technician may change on a ticket."""

    class Meta:
        model = Ticket
        fields = ["type", "category", "urgency", "impact", "priority", "location_mode", "location"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        self.fields["priority"].help_text = _("Computed from urgency and impact unless changed.")


class AssignForm(Form):
    assignee = UserChoiceField(
        label=_("Technician"), queryset=technicians(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = technicians()


class StatusForm(Form):
    status = forms.TypedChoiceField(label=_("Status"), coerce=int, choices=[])

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        # What the workflow allows from where the ticket is (tickets.workflow).
        self.fields["status"].choices = workflow.status_choices(ticket)
        self.initial.setdefault("status", ticket.status)


class ObserversForm(Form):
    add = PersonField(label=_("Add an observer"), required=False)
    remove = forms.ModelMultipleChoiceField(
        label=_("Remove"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = ticket.observers.all()


class TransferForm(Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.filter(is_active=True))
    comment = forms.CharField(
        label=_("Why (required, kept as a private note)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowupForm(Form):
    content = forms.CharField(label=_("Followup"), widget=forms.Textarea(attrs={"rows": 4}))
    # Public by default, as in GLPI: the requester follows the work; a note is made private.
    is_private = forms.BooleanField(label=_("Private: only technicians see it"), required=False)
    files = MultipleFileField(label=_("Files"), required=False)


class TaskForm(Form):
    content = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    state = forms.ChoiceField(label=_("State"), choices=Task.State.choices, initial="todo")
    is_private = forms.BooleanField(
        label=_("Private task: only technicians see it"), required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=10_000, initial=0
    )
    planned_start = forms.DateTimeField(
        label=_("Planned start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    planned_end = forms.DateTimeField(
        label=_("Planned end"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    assigned_user = PersonField(label=_("Given to a person (an expert)"), required=False)
    assigned_team = forms.ModelChoiceField(
        label=_("or to a team"), queryset=Team.objects.filter(is_active=True), required=False
    )


class DocumentForm(Form):
    file = forms.FileField(label=_("Document"))
    is_private = forms.BooleanField(
        label=_("Private document: only technicians see it"), required=False
    )


class SolutionForm(Form):
    content = forms.CharField(
        label=_("Solution"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The requester is asked to accept or refuse it."),
    )
    article = forms.CharField(
        label=_("Link a knowledge base article"),
        required=False,
        max_length=300,
        help_text=_(
            "Type words of its title, then choose it. A FAQ article is shown to the requester."
        ),
        widget=PickerInput(
            options_id="article-options", search_url=reverse_lazy("knowledge:picker")
        ),
    )


class TicketNumberField(IdField):
    """A ticket number the user may see; any other number reads as unknown, however it is."""

    default_error_messages = {
        "unknown": _("No ticket you can see has this number."),
        "invalid": _("Type a ticket number, such as 1234."),
    }

    def __init__(self, *, user=None, **kwargs):
        self.user = user
        super().__init__(**kwargs)

    def clean(self, value):
        number = super().clean(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        ticket = selectors.tickets_visible_to(self.user).filter(pk=number).first()
        if ticket is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return ticket


class LinkForm(Form):
    kind = forms.ChoiceField(label=_("This ticket is"), choices=links.direction_choices)
    other = TicketNumberField(label=_("of the ticket number"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].user = user


class MergeForm(Form):
    into = TicketNumberField(
        label=_("Merge into the ticket number"),
        help_text=_(
            "This ticket is closed as a duplicate: its followups and files go to that "
            "ticket, whose observers its requester joins."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].user = user


class ChildrenSolutionForm(Form):
    content = forms.CharField(
        label=_("Solution for the children"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each requester of an open child ticket is asked to accept or refuse it."),
    )
