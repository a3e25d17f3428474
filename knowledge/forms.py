from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form, IdField, ModelForm, MultipleFileField, RichTextMixin
from tickets.models import Category

from .models import Article


class ArticleForm(RichTextMixin, ModelForm):
    rich_fields = ("body",)

    files = MultipleFileField(label=_("Attached files"), required=False)

    class Meta:
        model = Article
        fields = ["title", "category", "keywords", "visibility", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "class": "rich-text"})}
        help_texts = {
            "keywords": _("Words people use for this problem, separated by commas."),
            "visibility": _("“Everyone” puts the article in the FAQ of the portal."),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["body_format"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["visibility"].widget = forms.RadioSelect(choices=Article.Visibility.choices)
        self.clean_editor_data()

    def clean_body(self):
        return self.rich_value("body")


class SearchForm(Form):
    q = forms.CharField(label=_("Search the articles"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )


class DraftForm(Form):
    """A new article may start from a ticket's solution: "?solution=<its number>"."""

    solution = IdField(required=False)


class VoteForm(Form):
    helpful = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")], required=False)


class SuggestionsForm(Form):
    """The subject a requester is typing, to suggest FAQ articles."""

    title = forms.CharField(required=False, max_length=255)
