"""The timeline's fast date writes exactly what the `date` filter writes."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.helpdesk import short_datetime


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 2, 7, 5, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ],
)
def test_it_writes_what_the_date_filter_writes(language, moment):
    template = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        assert short_datetime(moment) == template.render(Context({"moment": moment}))


@pytest.mark.parametrize(
    "django_format", ["d/m/Y H:i", "Y-m-d H:i:s", "{d} m", r"d \d\e m", "j F Y"]
)
def test_any_format_writes_what_django_writes(django_format):
    from django.utils.dateformat import format as django_writes

    from core.templatetags.helpdesk import _short_local

    for moment in (
        datetime(2027, 3, 8, 9, 4, 7, tzinfo=UTC),
        datetime(987, 11, 28, 23, 59, 58, 999_999, tzinfo=UTC),  # microseconds, short year
    ):
        assert _short_local(moment, django_format) == django_writes(moment, django_format)
