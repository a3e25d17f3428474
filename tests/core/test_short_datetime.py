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
