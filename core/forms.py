"""What every form of Help shares: labels, the error summary, pickers and file fields."""

from django import forms
from django.forms.renderers import Jinja2
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markupsafe import escape

from .html import clean_html, rich_text
from .ids import parse_id
from .people import find_person, person_label


def error_links(form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for each error of a form, for the summary atop the page."""
    links = []
    for name, errors in form.errors.items():
        if name == "__all__":
            links += [("", "", str(error)) for error in errors]
            continue
        field = form[name]
        label = str(field.label).removesuffix(" *")
        # A group of radios or checkboxes is reached through its first option.
        anchor = field.id_for_label or f"{field.auto_id}_0"
        links += [(anchor, label, str(error)) for error in errors]
    return links


def _attrs(attrs: dict) -> str:
    """Django's `attrs.html`: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        ""
        if value is False
        else f" {escape(name)}"
        if value is True
        else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """Django's `input_option.html`: a checkbox or radio, in its label when it wraps one."""
    if not widget["wrap_label"]:
        return _input(widget)
    target = widget["attrs"].get("id")
    target = f' for="{escape(target)}"' if target else ""
    return f"<label{target}>{_input(widget)} {escape(widget['label'])}</label>"


def _multiple_input(widget: dict) -> str:
    """Django's `multiple_input.html`: checkboxes or radios, each in its label."""
    attrs = widget["attrs"]
    html = ["<div"]
    if attrs.get("id"):
        html.append(f' id="{escape(attrs["id"])}"')
    if attrs.get("class"):
        html.append(f' class="{escape(attrs["class"])}"')
    html.append(">")
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f"\n  <div><label>{escape(group_name)}</label>")
        html += [f"<div>\n    {_input_option(option)}</div>" for option in options]
        if group_name:
            html.append("\n  </div>")
    return "".join(html) + "\n</div>"


def _option(option: dict) -> str:
    return (
        f'<option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{escape(option['label'])}</option>"
    )


def _select(widget: dict) -> str:
    html = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{escape(group_name)}">')
        html += [f"\n  {_option(option)}" for option in options]
        if group_name:
            html.append("\n  </optgroup>")
    return "".join(html) + "\n</select>"


def _textarea(widget: dict) -> str:
    value = escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


def _label(context: dict) -> str:
    if not context["use_tag"]:
        return escape(context["label"]).strip()
    tag, attrs = context["tag"], context["attrs"]
    return f"<{tag}{_attrs(attrs) if attrs else ''}>{escape(context['label'])}</{tag}>"


_INPUTS = ("text", "number", "email", "date", "hidden", "password", "search", "tel", "url")
_WIDGETS = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in (*_INPUTS, "checkbox", "input")},
    "django/forms/widgets/checkbox_select.html": _multiple_input,
    "django/forms/widgets/radio.html": _multiple_input,
    "django/forms/widgets/checkbox_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


def _field(context: dict) -> str:
    """Django's `field.html`, its blank lines included."""
    field = context["field"]
    if field.use_fieldset:
        described = field.aria_describedby
        described = f' aria-describedby="{escape(described)}"' if described else ""
        label = field.legend_tag() if field.label else ""
        html = [f"\n  <fieldset{described}>\n  {label}\n"]
    else:
        html = [f"\n  {field.label_tag() if field.label else ''}\n"]
    html.append("\n")
    if field.help_text:
        helper = f' id="{escape(field.auto_id)}_helptext"' if field.auto_id else ""
        html.append(f'<div class="helptext"{helper}>{field.help_text}</div>')
    html.append(f"\n{field.errors}\n{field}\n")
    if field.use_fieldset:
        html.append("</fieldset>")
    return "".join(html).strip()  # as Django's renderers strip what a template writes


_ERRORS = ("django/forms/errors/list/default.html", "django/forms/errors/list/ul.html")


class FormRenderer(Jinja2):
    """Django's form templates written in Python for field groups, labels and the commonest
    widgets; any other template through Jinja2.

    The same markup as Django's templates, character for character (a test holds them
    equal), in a fraction of the time: a work page holds some thirty fields, and a select
    of five options is six templates. The admin keeps the default renderer, since its
    widgets have Django templates only.
    """

    def render(self, template_name, context, request=None):
        if template_name in _WIDGETS:
            return mark_safe(_WIDGETS[template_name](context["widget"]))  # noqa: S308
        if template_name == "django/forms/label.html":
            return mark_safe(_label(context))  # noqa: S308
        if template_name == "django/forms/field.html":
            return mark_safe(_field(context))  # noqa: S308
        if template_name in _ERRORS and not context["errors"]:
            return mark_safe("")  # a field without errors, most of them
        return super().render(template_name, context, request)


RENDERER = FormRenderer()


class ModelForm(forms.ModelForm):
    default_renderer = RENDERER


class Form(forms.Form):
    """Labels without a trailing colon: the label is the field's name, nothing more."""

    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def values(self) -> dict:
        """For filters: the valid values only; a forged or stale one counts as not given."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


class PickerInput(forms.TextInput):
    """A text box that suggests values from a search URL as one types (static/js/portal.js).

    With JavaScript it becomes an ARIA combobox with a listbox of its own; without, a
    text box tied to the page's `options_id` datalist, or to one of its own rendered
    just after it. Nothing is listed before one types: no page holds a list of every
    person, team or place.
    """

    def __init__(self, *, search_url: str, options_id: str = ""):
        self.options_id = options_id
        attrs = {"data-search-url": search_url, "autocomplete": "off", "class": "picker"}
        super().__init__(attrs=attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        own = self.options_id or f"{context['widget']['attrs'].get('id', name)}-options"
        context["widget"]["attrs"]["list"] = own
        context["own_list"] = "" if self.options_id else own
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        html = self._render(self.template_name, context, renderer)
        if context["own_list"]:
            html += format_html('<datalist id="{}"></datalist>', context["own_list"])
        return mark_safe(html)  # noqa: S308 - both parts are escaped above


def people_picker() -> PickerInput:
    return PickerInput(options_id="people-options", search_url=reverse_lazy("portal:people"))


def places_picker() -> PickerInput:
    return PickerInput(options_id="place-options", search_url=reverse_lazy("portal:places"))


class LookupField(forms.CharField):
    """A picker: what was typed must name one of the things it finds; it cleans to that thing.

    `find` turns the text back into the object (or None); `show` writes an object as
    the text the picker shows and sends back.
    """

    default_error_messages = {"unknown": _("Choose in the list.")}

    def __init__(self, *, find, show=str, search_url=None, **kwargs):
        self.find, self.show = find, show
        kwargs.setdefault("max_length", 1000)
        if search_url is not None:  # a lazy URL: not resolved before the URLs are loaded
            kwargs.setdefault("widget", PickerInput(search_url=search_url))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return self.show(value)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return found


class PersonField(LookupField):
    """A person picker: what was typed must name an active user; it cleans to that user."""

    default_error_messages = {"unknown": _("Choose the person in the list.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", people_picker())
        kwargs.setdefault(
            "help_text",
            _(
                "Type at least 3 letters of a name or an e-mail address, then choose the "
                "person in the list."
            ),
        )
        super().__init__(find=find_person, show=person_label, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; the view checks each one (size, kind) by name."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        return data


class IdField(forms.CharField):
    """A row number typed or sent back by a link ("42", "#42"); anything else is None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_id(super().clean(value))


class IdsField(forms.Field):
    """Row numbers sent back by the page (kept files, selected rows); others are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value]
        return [pk for pk in map(parse_id, values) if pk is not None]


class LookupForm(Form):
    """What a picker or a search box sends as one types; bad input counts as nothing typed."""

    q = forms.CharField(required=False, max_length=200)

    def text(self) -> str:
        return self.values().get("q", "")


class PageForm(Form):
    """A page number of a list, as the links send it; a forged one gives the first page."""

    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def number(self) -> int:
        return self.values().get("page", 1)


class RichTextMixin:
    """Forms with fields the light rich-text editor writes, each with its `<name>_format`.

    The editor's HTML goes back into the page cleaned, never as it was sent, when the
    form comes back with errors; `rich_value` gives the field's text as safe HTML.
    """

    rich_fields: tuple[str, ...] = ()

    def clean_editor_data(self) -> None:
        html = [n for n in self.rich_fields if self.data.get(f"{n}_format") == "html"]
        if self.is_bound and html:
            data = self.data.copy()
            for name in html:
                data[name] = clean_html(data.get(name, ""))
            self.data = data

    def rich_value(self, name: str) -> str:
        return rich_text(self.data.get(name, ""), self.data.get(f"{name}_format", ""))
