"""A ticket a technician files for a caller or a visitor ("Nouveau ticket")."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.errors import AccountError
from core.errors import DomainError
from core.files import UploadRefused, max_upload_bytes
from tickets import permissions
from tickets.selectors import place_names

from .. import services
from ..forms import NewTicketForm
from .access import active_technician

# Which field a refusal of the filing belongs to, so the page shows it there; any other
# goes atop the form.
REFUSAL_FIELDS = ((AccountError, "email"), (UploadRefused, "files"))


def _refusal_field(refusal) -> str | None:
    return next((name for kind, name in REFUSAL_FIELDS if isinstance(refusal, kind)), None)


@active_technician
@require_http_methods(["GET", "POST"])
def new_ticket(request):
    form = NewTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        accepted, file_errors = form.uploads()
        for error in file_errors:
            form.add_error("files", error)
        if not file_errors:
            try:
                ticket = services.ticket_file(
                    technician=request.user, files=accepted, **form.filing()
                )
            except (DomainError, PermissionDenied) as refusal:
                field = _refusal_field(refusal)
                form.add_error(field, str(refusal) or _("You may not do this on this ticket."))
            else:
                return _filed(request, ticket)
    context = {
        "form": form,
        "places": place_names(),
        "max_upload_mb": settings.HELP_MAX_UPLOAD_MB,
        "max_upload_bytes": max_upload_bytes(),
        # A page sent back cannot hold the files chosen: the browser forgets them.
        "choose_files_again": bool(form.errors and request.FILES),
    }
    status = 400 if form.errors else 200
    return render(request, "backoffice/new_ticket.html", context, status=status)


def _filed(request, ticket):
    """To the work page, or back to a new form when routing gave the ticket to another team."""
    if permissions.can_work_ticket(request.user, ticket):
        messages.success(request, _("Ticket %(number)s is filed.") % {"number": ticket.pk})
        return redirect("backoffice:ticket", pk=ticket.pk)
    messages.success(
        request,
        _("Ticket %(number)s is filed; it went to the team %(team)s.")
        % {"number": ticket.pk, "team": ticket.team.name if ticket.team else "—"},
    )
    return redirect("backoffice:new-ticket")
