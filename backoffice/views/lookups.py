"""What the back office's pickers propose as one types: technicians, teams, categories.

Only technicians change what the pickers fill; an expert on one ticket gets 404.
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.forms import LookupForm
from tickets import selectors

from .access import active_technician


@active_technician
@require_GET
def lookup(request, kind):
    if kind not in selectors.LOOKUPS:
        raise Http404
    options = selectors.lookup_labels(kind, LookupForm(request.GET).text())
    return render(request, "portal/options.html", {"options": options})
