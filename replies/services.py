"""Every change to canned answers: keyword-only, one transaction each."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.html import clean_html, has_text

from . import permissions
from .errors import ReplyError
from .models import CannedAnswer


@transaction.atomic
def canned_answer_save(
    *,
    answer: CannedAnswer | None,
    author,
    title: str,
    body: str,
    usable_for: str,
    team,
    is_active: bool = True,
) -> CannedAnswer:
    """Create an answer (answer=None) or change one; the author must manage both teams."""
    if answer is not None and not permissions.can_manage(author, answer):
        raise PermissionDenied
    if not permissions.can_manage_for(author, team.pk if team else None):
        raise PermissionDenied(_("You may not keep an answer for this team."))
    body = clean_html(body)
    if not has_text(body):
        raise ReplyError(_("Write the text of the answer."))
    if answer is None:
        answer = CannedAnswer(created_by=author)
    answer.title = title.strip()
    answer.body = body
    answer.usable_for = usable_for
    answer.team = team
    answer.is_active = is_active
    answer.save()
    return answer


@transaction.atomic
def canned_answer_deactivate(*, answer: CannedAnswer, actor) -> CannedAnswer:
    if not permissions.can_manage(actor, answer):
        raise PermissionDenied
    CannedAnswer.objects.filter(pk=answer.pk).update(is_active=False)
    answer.is_active = False
    return answer


@transaction.atomic
def canned_answer_used(*, answer_id: int | None, user, kind: str) -> bool:
    """Count one use of the answer a followup or a solution started from.

    One UPDATE whose filter is the permission: a forged or foreign id changes nothing.
    """
    if answer_id is None:
        return False
    usable = CannedAnswer.objects.filter(permissions.usable_q(user, kind), pk=answer_id)
    return usable.update(usage_count=F("usage_count") + 1) == 1
