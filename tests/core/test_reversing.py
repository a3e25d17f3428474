from django.urls import reverse, set_script_prefix

from core.reversing import url_for


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
