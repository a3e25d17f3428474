from django.urls import reverse, set_script_prefix

from core.reversing import url_for, url_format


def test_it_writes_the_urls_reverse_writes():
    assert url_for("backoffice:ticket", 42) == reverse("backoffice:ticket", args=[42])
    assert url_for("backoffice:document", 7, 1234567) == reverse(
        "backoffice:document", args=[7, 1234567]
    )
    assert url_for("knowledge:create") == reverse("knowledge:create")


def test_it_follows_the_script_prefix():
    set_script_prefix("/help/")
    try:
        assert url_for("backoffice:ticket", 3) == "/help/intervention/tickets/3/"
    finally:
        set_script_prefix("/")


def test_it_gives_a_url_to_format_with_its_number():
    assert url_format("backoffice:ticket").format(10) == reverse("backoffice:ticket", args=[10])
    set_script_prefix("/help{0}/")  # braces of its own come quoted
    try:
        assert url_format("backoffice:ticket").format(5) == "/help%7B0%7D/intervention/tickets/5/"
    finally:
        set_script_prefix("/")
