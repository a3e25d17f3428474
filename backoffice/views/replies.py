"""Canned answers: their management pages and the composer's picker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import PageForm
from replies import permissions, selectors, services
from replies.models import CannedAnswer

from ..forms import CannedAnswerForm, CannedPickerForm, CannedSearchForm
from .access import back_office, worked_ticket

PAGE_SIZE = 50


def _manager(request):
    if not permissions.may_manage_any(request.user):
        raise Http404


def _managed(request, pk) -> CannedAnswer:
    """The answer if the user manages it; another team's answer does not exist for them."""
    _manager(request)
    answer = get_object_or_404(CannedAnswer.objects.select_related("team"), pk=pk)
    if not permissions.can_manage(request.user, answer):
        raise Http404
    return answer


@back_office
@require_GET
def canned_list(request):
    _manager(request)
    form = CannedSearchForm(request.GET)
    answers = selectors.managed_answers(request.user, text=form.values().get("q", ""))
    page = Paginator(answers, PAGE_SIZE).get_page(PageForm(request.GET).number())
    context = {"form": form, "page": page, "answers": page.object_list}
    return render(request, "backoffice/canned_list.html", context)


def _editor(request, answer=None):
    form = CannedAnswerForm(request.POST or None, instance=answer, user=request.user)
    if answer is not None and not request.POST:
        form.initial["body_format"] = "html"
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.canned_answer_save(
                answer=answer,
                author=request.user,
                title=data["title"],
                body=data["body"],
                usable_for=data["usable_for"],
                team=data["team"],
                is_active=data.get("is_active", True),
            )
        except (DomainError, PermissionDenied) as refusal:
            error = str(refusal) or _("You may not do this.")
        else:
            messages.success(request, _("The canned answer is saved."))
            return redirect("backoffice:canned-list")
    status = 400 if (form.errors or error) else 200
    context = {"form": form, "answer": answer, "error": error}
    return render(request, "backoffice/canned_edit.html", context, status=status)


@back_office
@require_http_methods(["GET", "POST"])
def canned_create(request):
    _manager(request)
    return _editor(request)


@back_office
@require_http_methods(["GET", "POST"])
def canned_edit(request, pk):
    return _editor(request, _managed(request, pk))


@back_office
@require_http_methods(["GET", "POST"])
def canned_deactivate(request, pk):
    answer = _managed(request, pk)
    if request.method == "POST":
        services.canned_answer_deactivate(answer=answer, actor=request.user)
        messages.success(request, _("The canned answer is deactivated."))
        return redirect("backoffice:canned-list")
    return render(request, "backoffice/canned_deactivate.html", {"answer": answer})


@back_office
@require_GET
def canned_picker(request):
    """Answers matching what is typed, filled for the ticket: a partial for htmx, else a page."""
    form = CannedPickerForm(request.GET)
    if not form.is_valid() or form.cleaned_data["ticket"] is None:
        raise Http404
    data = form.cleaned_data
    ticket = worked_ticket(request, data["ticket"])
    context = {
        "ticket": ticket,
        "kind": data["kind"],
        "q": data["q"],
        "found": selectors.suggestions(
            request.user, ticket=ticket, kind=data["kind"], text=data["q"]
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, "backoffice/_canned_results.html", context)
    return render(request, "backoffice/canned_pick.html", context)
