"""The requester's writes: filing a ticket with its files, keeping files across errors."""

from django.core.files import File
from django.db import transaction

from tickets import services as ticket_services
from tickets.models import Theme, Ticket

from .models import PendingUpload


def pending_upload_create(*, owner, file) -> PendingUpload:
    """Keep an accepted file while the requester corrects the rest of the form."""
    pending = PendingUpload(owner=owner)
    pending.store(file)
    pending.save()
    return pending


def _claimed(owner, pending) -> list[PendingUpload]:
    """The kept files still there; a second submission of the form, or the purge, skips them."""
    return list(
        PendingUpload.objects.select_for_update(skip_locked=True).filter(
            owner=owner, pk__in=[kept.pk for kept in pending]
        )
    )


def _as_uploads(pending) -> list[File]:
    uploads = []
    for kept in pending:
        upload = File(kept.file.open("rb"), name=kept.original_name)
        upload.content_type = kept.content_type
        uploads.append(upload)
    return uploads


def _discard(pending) -> None:
    """Forget kept files: the rows now, the files once the transaction has committed."""
    names = [kept.file.name for kept in pending]
    PendingUpload.objects.filter(pk__in=[kept.pk for kept in pending]).delete()
    storage = PendingUpload._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _with_kept(author, files, pending, attach):
    """Run `attach` on the new files plus the kept ones, then forget the kept ones."""
    pending = _claimed(author, pending)
    kept = _as_uploads(pending)
    try:
        result = attach([*files, *kept])
    finally:
        for upload in kept:
            upload.close()
    _discard(pending)
    return result


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
    _with_kept(
        requester,
        files,
        pending,
        lambda uploads: ticket_services.documents_attach(
            ticket=ticket, author=requester, files=uploads
        ),
    )
    return ticket


@transaction.atomic
def followup_submit(*, ticket: Ticket, author, content: str, files=(), pending=()):
    return _with_kept(
        author,
        files,
        pending,
        lambda uploads: ticket_services.followup_with_files(
            ticket=ticket, author=author, content=content, files=uploads
        ),
    )


@transaction.atomic
def pending_uploads_purge(*, older_than) -> int:
    """Delete the kept files of forms never sent again; return how many went."""
    # A form being sent right now holds its rows: they are skipped, not pulled away.
    stale = list(
        PendingUpload.objects.select_for_update(skip_locked=True).filter(created_at__lt=older_than)
    )
    _discard(stale)
    return len(stale)
