"""Back-office forms: they only validate; the views call the services."""

from datetime import date, datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.services import email_taken
from core.errors import DomainError
from core.files import check_upload
from core.forms import (
    Form,
    IdField,
    IdsField,
    LookupField,
    ModelForm,
    MultipleFileField,
    PersonField,
    PickerInput,
    RichTextMixin,
    places_picker,
)
from core.html import has_text
from core.people import person_label
from replies import permissions as reply_permissions
from replies.models import CannedAnswer
from replies.placeholders import PLACEHOLDERS
from servicelevels.selectors import STATE_LABELS
from tickets import links, permissions, selectors, workflow
from tickets.models import Category, Level, Priority, Task, Team, Theme, Ticket
from tickets.selectors import find_place


def _picker(kind: str, find, **kwargs) -> LookupField:
    """A field that searches as one types (backoffice:lookup), instead of a list of all."""
    url = reverse_lazy("backoffice:lookup", args=[kind])
    return LookupField(find=find, search_url=url, **kwargs)


def technician_field(**kwargs) -> LookupField:
    kwargs.setdefault("help_text", _("Type a name, then choose the technician in the list."))
    return _picker("technicians", selectors.find_technician, show=person_label, **kwargs)


def team_field(**kwargs) -> LookupField:
    return _picker("teams", selectors.find_team, **kwargs)


def category_field(**kwargs) -> LookupField:
    return _picker("categories", selectors.find_category, **kwargs)


def place_field(**kwargs) -> LookupField:
    return _picker("places", selectors.find_location, **kwargs)


class BlankForm:
    """A form the work page shows empty and the same on every ticket (its class says
    `same_for_every_ticket`): built only once per language, to write its fields
    (work_tags.form_fields), instead of on each page."""

    def __init__(self, form_class, prefix: str, **kwargs):
        self.form_class, self.prefix, self.kwargs = form_class, prefix, kwargs

    def build(self):
        return self.form_class(prefix=self.prefix, **self.kwargs)


def page_form(form_class, *, prefix: str, initial=None, **kwargs):
    """A form as the work page shows it before anything is sent: blank when it may be."""
    if getattr(form_class, "same_for_every_ticket", False) and not initial:
        return BlankForm(form_class, prefix, **kwargs)
    return form_class(prefix=prefix, initial=initial or {}, **kwargs)


class QueueFilterForm(Form):
    """Filters of a queue; a forged or stale value is dropped, never passed to the ORM."""

    same_for_same_values = True  # its fields read nothing but their value (work_tags.widget)

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.TypedMultipleChoiceField(
        label=_("Status"),
        choices=Ticket.Status.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    team = team_field(label=_("Team"), required=False)
    category = category_field(label=_("Category"), required=False)
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
    location = place_field(label=_("Location"), required=False)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_state = forms.ChoiceField(
        label=_("Due date"),
        choices=[("", _("Any"))] + list(STATE_LABELS.items()),
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[(key, order.label) for key, order in selectors.SORTS.items()],
        required=False,
    )

    # A chip per value of these; the sort is an order, not a filter: it has none.
    CHIPPED = ("q", "status", "team", "category", "priority", "type", "location")
    CHIPPED += ("created_from", "created_to", "due_state")

    def query(self) -> QueryDict:
        """The filters as the page sent them, the valid ones only: to remember, to page on."""
        valid = self.values()
        query = QueryDict(mutable=True)
        for name in self.fields:
            if name in valid:
                query.setlist(name, self.data.getlist(name))
        return query

    def chips(self) -> list[dict]:
        """The active filters, each with its words and the query string without it alone."""
        valid, query = self.values(), self.query()
        chips = []
        for name in self.CHIPPED:
            if name not in valid:
                continue
            field = self.fields[name]
            values = valid[name] if isinstance(valid[name], list) else [valid[name]]
            raws = query.getlist(name) if isinstance(valid[name], list) else [None]
            for value, raw in zip(values, raws, strict=True):
                rest = query.copy()
                if raw is None:
                    rest.pop(name)
                else:
                    rest.setlist(name, [other for other in query.getlist(name) if other != raw])
                chips.append(
                    {"name": field.label, "value": self._words(field, value), "rest": rest}
                )
        return chips

    def folded_count(self) -> int:
        """How many filters the fold holds, that is all of them but the words."""
        return sum(1 for chip in self.chips() if chip["name"] != self.fields["q"].label)

    @staticmethod
    def _words(field, value) -> str:
        if isinstance(value, date):
            return date_format(value, "SHORT_DATE_FORMAT")
        choices = getattr(field, "choices", None)
        if choices is not None and not isinstance(field, LookupField):
            return str(dict(choices).get(value, value))
        return str(value)


class PeriodForm(Form):
    """The dashboard's period for the service-level figures: the last 30 days unless
    chosen; an inverted or overlong period gives the default one, never an error page."""

    DEFAULT_DAYS = 30
    LONGEST_DAYS = 366  # the medians read each ticket of the period

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self) -> tuple[date, date]:
        """(first day, last day), both included."""
        today = timezone.localdate()
        values = self.values()
        end = min(values.get("end", today), today)
        start = values.get("start", end - timedelta(days=self.DEFAULT_DAYS - 1))
        if start > end or (end - start).days >= self.LONGEST_DAYS:
            return end - timedelta(days=self.DEFAULT_DAYS - 1), end
        return start, end


class SavedSearchForm(Form):
    """Name the filters of the queue at hand; share them with one of one's teams, or not."""

    name = forms.CharField(label=_("Name of the search"), max_length=80)
    queue = forms.ChoiceField(choices=[], widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    team = forms.ModelChoiceField(
        label=_("Shared with"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Nobody (private)"),
    )

    def __init__(self, *args, user, queues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [(name, name) for name in queues]
        self.fields["team"].queryset = Team.objects.filter(
            pk__in=permissions.team_ids(user), is_active=True
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(forms.Field.default_error_messages["required"])
        return name

    def clean_query(self):
        """Keep only the filters QueueFilterForm accepts, as it would send them back."""
        filters = QueueFilterForm(QueryDict(self.cleaned_data["query"]))
        return filters.query().urlencode()


PAGE_SALT = "backoffice.queue-page"


def page_token(sort: str, values: list) -> str:
    """Where a queue page starts or ends, for its links: the sort and its row's values."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return signing.dumps([sort, *plain], salt=PAGE_SALT, compress=True)


class PageTokenField(forms.CharField):
    """A page_token, back as (sort, values); a forged or mangled one is dropped."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=1000, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            sort, *values = signing.loads(value, salt=PAGE_SALT)
        except (signing.BadSignature, ValueError, TypeError):
            raise forms.ValidationError(RegexValidator.message, code="invalid") from None
        return sort, values


class QueuePageForm(Form):
    """Which page of a queue: after or before a row (the links), or from a ticket number."""

    reset = forms.BooleanField(required=False)
    after = PageTokenField()
    before = PageTokenField()
    start = IdField(
        label=_("Go to ticket number"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
    )


class SelectionForm(Form):
    """The rows ticked in a queue; a forged number is dropped."""

    tickets = IdsField(required=False)


class BulkActionForm(Form):
    same_for_same_values = True  # as QueueFilterForm (`tickets`, set per page, is not shown)
    ACTIONS = [
        ("take", _("Take them")),
        ("assign", _("Give them to a technician")),
        ("transfer", _("Transfer them to a team")),
        ("priority", _("Change their priority")),
    ]

    tickets = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = technician_field(label=_("Technician"), required=False)
    team = team_field(label=_("Team"), required=False)
    comment = forms.CharField(label=_("Comment (for a transfer)"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, required=False
    )

    def __init__(self, *args, ticket_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(pk, pk) for pk in ticket_ids]

    def clean(self):
        cleaned = super().clean()
        needs = {"assign": "assignee", "transfer": "team", "priority": "priority"}
        field = needs.get(cleaned.get("action"))
        if field and cleaned.get(field) in (None, ""):
            self.add_error(field, forms.Field.default_error_messages["required"])
        if cleaned.get("action") == "transfer" and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why you transfer the tickets."))
        return cleaned


class TicketFieldsForm(ModelForm):
    """The header of the work page: what a technician may change on a ticket."""

    # Its fields read nothing else than their value: a field group is written once per
    # value (work_tags.form_fields).
    same_for_same_values = True

    category = category_field(label=_("Category"), required=False)
    location = place_field(label=_("Location"), required=False)

    class Meta:
        model = Ticket
        fields = ["type", "category", "urgency", "impact", "priority", "location_mode", "location"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # The pickers show the names, from the rows the page has read already.
        self.initial["category"] = self.instance.category
        self.initial["location"] = self.instance.location
        self.fields["priority"].help_text = _("Computed from urgency and impact unless changed.")


class AssignForm(Form):
    same_for_same_values = True
    assignee = technician_field(
        label=_("Technician"),
        required=False,
        help_text=_("Type a name, then choose the technician; leave empty for nobody."),
    )


class StatusForm(Form):
    same_for_same_values = True
    # The statuses a technician sets by hand (tickets.workflow); the service refuses a
    # move the ticket's status does not allow, with its reason.
    status = forms.TypedChoiceField(label=_("Status"), coerce=int, choices=workflow.status_choices)

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("status", ticket.status)


class ObserversForm(Form):
    add = PersonField(label=_("Add an observer"), required=False)
    remove = forms.ModelMultipleChoiceField(
        label=_("Remove"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ticket, observers=None, **kwargs):
        super().__init__(*args, **kwargs)
        remove = self.fields["remove"]
        remove.queryset = ticket.observers.all()
        # The boxes from the observers the page has already read (the field would ask the
        # database again); what is posted is still checked against the queryset.
        observers = remove.queryset if observers is None else observers
        remove.widget.choices = [(observer.pk, str(observer)) for observer in observers]


class TransferForm(Form):
    same_for_every_ticket = True  # shown blank as a BlankForm
    team = team_field(label=_("Team"))
    comment = forms.CharField(
        label=_("Why (required, kept as a private note)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TimelineOrderForm(Form):
    order = forms.ChoiceField(choices=[("newest", "newest"), ("oldest", "oldest")])


def canned_field():
    """The canned answer a text started from, set by the picker: counted when sent."""
    return IdField(label="", required=False, widget=forms.HiddenInput)


class FollowupForm(Form):
    same_for_every_ticket = True
    content = forms.CharField(label=_("Followup"), widget=forms.Textarea(attrs={"rows": 4}))
    # Public by default, as in GLPI: the requester follows the work; a note is made private.
    is_private = forms.BooleanField(label=_("Private: only technicians see it"), required=False)
    files = MultipleFileField(label=_("Files"), required=False)
    canned = canned_field()


class TaskForm(Form):
    same_for_every_ticket = True
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
    assigned_team = team_field(label=_("or to a team"), required=False)


class DocumentForm(Form):
    same_for_every_ticket = True
    file = forms.FileField(label=_("Document"))
    is_private = forms.BooleanField(
        label=_("Private document: only technicians see it"), required=False
    )


class SolutionForm(Form):
    same_for_every_ticket = True
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
    canned = canned_field()


class NewTicketForm(RichTextMixin, Form):
    """A ticket a technician files for a caller or a visitor ("Nouveau ticket")."""

    rich_fields = ("description", "solution")

    SOURCES = [Ticket.Source.PHONE, Ticket.Source.DESK, Ticket.Source.EMAIL, Ticket.Source.OTHER]
    CONTACT_FIELDS = ("first_name", "last_name", "email", "phone")

    requester = PersonField(label=_("Requester"), required=False)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(source.value, source.label) for source in SOURCES],
        widget=forms.RadioSelect,
        initial=Ticket.Source.PHONE,
    )
    title = forms.CharField(label=_("Subject"), max_length=255)
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.filter(is_active=True)
        .exclude(parent__is_active=False)
        .select_related("parent")
        .order_by("parent__position", "parent__name", "position", "name"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave it empty for the theme's category."),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=Ticket.Type.choices,
        widget=forms.RadioSelect,
        initial=Ticket.Type.INCIDENT,
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Level.choices, coerce=int, initial=Level.MEDIUM
    )
    location = forms.CharField(
        label=_("Location"),
        required=False,
        max_length=1000,
        help_text=_("Type part of the name of a campus, building or room."),
        widget=places_picker(),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "rich-text"}),
    )
    description_format = forms.CharField(required=False, widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Attach a file"), required=False)
    take = forms.BooleanField(label=_("Assign it to me"), required=False)
    solved = forms.BooleanField(
        label=_("Solved at the first call"),
        required=False,
        help_text=_(
            "The solution below is proposed at once: the requester still accepts or refuses it."
        ),
    )
    solution = forms.CharField(
        label=_("Solution"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "rich-text"}),
    )
    solution_format = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.required:
                field.label = f"{field.label} *"
        self.clean_editor_data()

    def clean_location(self):
        text = self.cleaned_data["location"]
        if not text.strip():
            return None
        location = find_place(text)
        if location is None:
            raise forms.ValidationError(_("Choose a place in the list."))
        return location

    def clean_description(self):
        return self.rich_value("description")

    def clean_solution(self):
        return self.rich_value("solution")

    def clean(self):
        cleaned = super().clean()
        typed = [name for name in self.CONTACT_FIELDS if self.data.get(name, "").strip()]
        if self.data.get("requester", "").strip():
            if typed:
                self.add_error(
                    "requester",
                    _("Choose the requester in the list or create a contact, not both."),
                )
        elif not typed:
            self.add_error(
                "requester",
                _("Choose the requester in the list, or create a contact below."),
            )
        else:
            self._clean_contact(cleaned)
        if cleaned.get("solved") and not has_text(cleaned.get("solution", "")):
            self.add_error("solution", _("Describe the solution."))
        return cleaned

    def _clean_contact(self, cleaned):
        required = forms.Field.default_error_messages["required"]
        for name in ("first_name", "last_name", "email"):
            if name not in self.errors and not cleaned.get(name, "").strip():
                self.add_error(name, required)
        if cleaned.get("email") and email_taken(cleaned["email"]):
            self.add_error(
                "email",
                _(
                    "An account already has this e-mail address: choose that person "
                    "in the “Requester” list instead."
                ),
            )

    def uploads(self) -> tuple[list, list[str]]:
        """The files that Help accepts, and errors naming the others."""
        accepted, errors = [], []
        for upload in self.files.getlist("files"):
            try:
                check_upload(upload)
            except DomainError as error:
                errors.append(str(error))
            else:
                accepted.append(upload)
        return accepted, errors

    def filing(self) -> dict:
        """The ticket_file arguments of the valid form (without the technician and files)."""
        data = self.cleaned_data
        contact = None
        if data["requester"] is None:
            contact = {name: data[name] for name in self.CONTACT_FIELDS}
        return {
            "requester": data["requester"],
            "contact": contact,
            "title": data["title"],
            "description": data["description"],
            "type": data["type"],
            "theme": data["theme"],
            "category": data["category"],
            "urgency": data["urgency"],
            "location": data["location"],
            "source": data["source"],
            "take": data["take"],
            "solution": data["solution"] if data["solved"] else "",
        }


# Canned answers ---------------------------------------------------------------------

KINDS = [("followup", _("Followup")), ("solution", _("Solution"))]


def placeholders_help() -> str:
    names = ", ".join(f"{{{p.name}}} ({p.description})" for p in PLACEHOLDERS)
    return _("Placeholders, filled for each ticket: %(names)s.") % {"names": names}


class CannedAnswerForm(RichTextMixin, ModelForm):
    rich_fields = ("body",)

    class Meta:
        model = CannedAnswer
        fields = ["title", "body", "usable_for", "team", "is_active"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10, "class": "rich-text"}),
            "usable_for": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["body_format"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["body"].help_text = placeholders_help()
        teams = Team.objects.filter(is_active=True)
        team_ids = reply_permissions.manageable_team_ids(user)
        if team_ids is not None:
            teams = teams.filter(pk__in=team_ids)
        team = self.fields["team"]
        team.queryset = teams
        if reply_permissions.may_manage_global(user):
            team.empty_label = _("Every team (a global answer)")
        else:
            team.required = True
            team.empty_label = None
        if self.instance.pk is None:
            del self.fields["is_active"]
        self.clean_editor_data()

    def clean_body(self):
        return self.rich_value("body")


class CannedSearchForm(Form):
    q = forms.CharField(label=_("Search the canned answers"), required=False, max_length=200)


class CannedPickerForm(Form):
    """What the composer's picker sends as one types: the words, the ticket, the form."""

    q = forms.CharField(label=_("Search a canned answer"), required=False, max_length=200)
    ticket = IdField()
    kind = forms.ChoiceField(choices=KINDS)


class CannedPrefillForm(Form):
    """A canned answer chosen without JavaScript: the ticket page opens with its text."""

    canned = IdField()
    kind = forms.ChoiceField(choices=KINDS)


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
    same_for_every_ticket = True
    kind = forms.ChoiceField(label=_("This ticket is"), choices=links.direction_choices)
    other = TicketNumberField(label=_("of the ticket number"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].user = user


class MergeForm(Form):
    same_for_every_ticket = True
    into = TicketNumberField(
        label=_("Merge into the ticket number"),
        help_text=_(
            "This ticket is closed as a duplicate: its followups and files go to that "
            "ticket, whose observers its requester joins."
        ),
    )

    confirm = forms.BooleanField(
        label=_("Merge even though the requesters differ"),
        required=False,
        help_text=_("Needed when the other ticket was filed by someone else."),
    )

    def __init__(self, *args, user, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].user = user
        self.user, self.ticket = user, ticket

    def clean(self):
        data = super().clean()
        into = data.get("into")
        if into is None:
            return data
        if not permissions.can_manage_ticket(self.user, into):
            # Merging makes this requester an observer there: it is a change of that ticket.
            self.add_error(
                "into",
                _("Ticket %(number)s is worked by another team: only its team can merge into it.")
                % {"number": into.pk},
            )
        elif into.requester_id != self.ticket.requester_id and not data.get("confirm"):
            self.add_error(
                "confirm",
                _(
                    "Ticket %(number)s was filed by %(other)s, this one by %(mine)s: "
                    "tick the box to merge them all the same."
                )
                % {
                    "number": into.pk,
                    "other": into.requester.get_full_name() or into.requester,
                    "mine": self.ticket.requester.get_full_name() or self.ticket.requester,
                },
            )
        return data


class ChildrenSolutionForm(Form):
    content = forms.CharField(
        label=_("Solution for the children"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each requester of an open child ticket is asked to accept or refuse it."),
    )
