from django.db.models.signals import post_init

from tests.factories import make_ticket
from tickets.models import Followup


def test_an_item_read_in_bulk_is_the_one_django_would_make(db, requester):
    ticket = make_ticket(requester=requester)
    written = Followup.objects.create(ticket=ticket, author=requester, content="<p>Merci</p>")
    made = []

    def count(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(count, sender=Followup)
    try:
        (read,) = Followup.objects.filter(pk=written.pk)
    finally:
        post_init.disconnect(count, sender=Followup)
    assert made == [read]  # its signals were sent
    assert (read.pk, read.ticket_id, read.author_id, read.content, read.is_private) == (
        written.pk,
        ticket.pk,
        requester.pk,
        "<p>Merci</p>",
        False,
    )
    assert read.created_at == written.created_at and read.author == requester
    assert not read._state.adding and read._state.db == "default"
    read.content = "<p>Merci beaucoup</p>"
    read.save()  # an update, not a second row
    assert list(Followup.objects.values_list("content", flat=True)) == ["<p>Merci beaucoup</p>"]
    (deferred,) = Followup.objects.only("content")  # made by Django, as usual
    assert deferred.content == "<p>Merci beaucoup</p>" and deferred.author == requester
