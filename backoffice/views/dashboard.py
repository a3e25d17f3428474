from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicelevels.selectors import service_level_figures
from tickets import permissions, stats

from ..charts import bar_chart, week_chart
from ..exports import csv_cell, csv_response
from ..forms import PeriodForm
from .access import back_office


def _supervised_q(request):
    if not permissions.is_supervisor(request.user):
        raise Http404
    return permissions.supervised_tickets_q(request.user)


def _levels(request, scope):
    """The period the form asks for and the service-level figures of its tickets."""
    form = PeriodForm(request.GET)
    first, last = form.period()
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return form, (first, last), service_level_figures(scope, start, end)


@back_office
@require_GET
def dashboard(request):
    """Figures of the teams a supervisor manages (every team for an admin)."""
    scope = _supervised_q(request)
    figures = stats.dashboard(scope)
    charts = {
        name: bar_chart(figures[name])
        for name in ("by_status", "by_team", "by_theme", "by_priority")
    }
    form, period, levels = _levels(request, scope)
    context = {
        "figures": figures,
        "charts": charts,
        "backlog": week_chart(figures["backlog"]),
        "period_form": form,
        "period": period,
        "levels": levels,
        # The export asks for the period shown, as the form read it, not what was typed.
        "query": urlencode({"start": period[0].isoformat(), "end": period[1].isoformat()}),
    }
    return render(request, "backoffice/dashboard.html", context)


@back_office
@require_GET
def dashboard_export(request):
    """The service-level figures of the chosen period, as CSV."""
    _form, (first, last), levels = _levels(request, _supervised_q(request))
    stem = _("service-levels")  # the file's name, in the reader's language
    response, writer = csv_response(
        f"{stem}-{first:%Y-%m-%d}-{last:%Y-%m-%d}.csv",
        [
            _("Grouped by"),
            _("Name"),
            _("Tickets"),
            _("Taken in charge on time (%)"),
            _("Resolved on time (%)"),
            _("Median working time to take in charge"),
            _("Median working time to resolve"),
        ],
    )
    groups = [(_("Team"), levels["teams"]), (_("Theme"), levels["themes"])]
    for group, rows in [(_("All"), levels["all"]), *groups]:
        for row in rows:
            cells = [
                group,
                row.label if row.label is not None else "—",
                row.tickets,
                "" if row.take_share is None else row.take_share,
                "" if row.resolve_share is None else row.resolve_share,
                row.take_median_text,
                row.resolve_median_text,
            ]
            writer.writerow([csv_cell(cell) for cell in cells])
    return response
