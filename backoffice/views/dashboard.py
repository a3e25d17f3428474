from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tickets import permissions, stats

from ..charts import bar_chart, week_chart
from .access import back_office


@back_office
@require_GET
def dashboard(request):
    """Figures of the teams a supervisor manages (every team for an admin)."""
    user = request.user
    if not permissions.is_supervisor(user):
        raise Http404
    figures = stats.dashboard(permissions.supervised_tickets_q(user))
    charts = {
        name: bar_chart(figures[name])
        for name in ("by_status", "by_team", "by_theme", "by_priority")
    }
    context = {"figures": figures, "charts": charts, "backlog": week_chart(figures["backlog"])}
    return render(request, "backoffice/dashboard.html", context)
