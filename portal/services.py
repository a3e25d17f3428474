"""The requester's writes: filing a ticket with its files, keeping files across errors."""

from django.core.files import File
from django.db import transaction

from tickets import services as ticket_services
from tickets.models import Theme, Ticket

from .models import PendingUpload


def pending_upload_create(*, owner, file) -> PendingUpload:
    """Keep an accepted file while the requester corrects the rest of the form."""
    pending = PendingUpload(
        owner=owner,
        original_name=file.name[:255],
        content_type=(getattr(file, "content_type", "") or "")[:100],
        size=file.size,
    )
    pending.file.save(file.name, file, save=False)
    pending.save()
    return pending


def _attach(*, ticket, author, files, pending, followup=None) -> None:
    """Attach new and kept files; if anything fails, no stored file is left behind."""
    # Claim the kept files: a second submission of the same form, or the purge, skips them.
    pending = list(
        PendingUpload.objects.select_for_update(skip_locked=True).filter(
            owner=author, pk__in=[kept.pk for kept in pending]
        )
    )
    stored = []
    try:
        for upload in files:
            document = ticket_services.document_add(
                ticket=ticket, author=author, file=upload, followup=followup
            )
            stored.append(document.file)
        for kept in pending:
            with kept.file.open("rb") as handle:
                upload = File(handle, name=kept.original_name)
                upload.content_type = kept.content_type
                document = ticket_services.document_add(
                    ticket=ticket, author=author, file=upload, followup=followup
                )
            stored.append(document.file)
    except BaseException:
        for file in stored:  # the rows roll back; their files must go too
            file.delete(save=False)
        raise
    names = [kept.file.name for kept in pending]
    PendingUpload.objects.filter(pk__in=[kept.pk for kept in pending]).delete()
    storage = PendingUpload._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def ticket_submit(
    *, requester, theme: Theme, data: dict, answers: list, files=(), pending=()
) -> Ticket:
    """File a ticket from a theme's form; only the form's own fields reach the ticket."""
    ticket = ticket_services.ticket_create(
        requester=requester,
        title=data["title"],
        description=data["description"],
        type=data["type"],
        theme=theme,
        urgency=data["urgency"],
        beneficiary=data["beneficiary"],
        location_mode=data["location_mode"],
        location=data["location"],
        source=Ticket.Source.PORTAL,
        answers=answers,
    )
    _attach(ticket=ticket, author=requester, files=files, pending=pending)
    return ticket


@transaction.atomic
def followup_submit(*, ticket: Ticket, author, content: str, files=(), pending=()):
    followup = None
    if ticket_services.has_text(content) or not (files or pending):
        followup = ticket_services.followup_add(ticket=ticket, author=author, content=content)
    _attach(ticket=ticket, author=author, files=files, pending=pending, followup=followup)
    return followup


@transaction.atomic
def pending_uploads_purge(*, older_than) -> int:
    """Delete the kept files of forms never sent again; return how many went."""
    # A form being sent right now holds its rows: they are skipped, not pulled away.
    stale = list(
        PendingUpload.objects.select_for_update(skip_locked=True).filter(created_at__lt=older_than)
    )
    names = [kept.file.name for kept in stale]
    PendingUpload.objects.filter(pk__in=[kept.pk for kept in stale]).delete()
    storage = PendingUpload._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(stale)
