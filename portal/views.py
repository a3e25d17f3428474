from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tickets.models import Theme


@login_required
def home(request):
    themes = Theme.objects.filter(is_active=True, parent__isnull=True).order_by("position", "name")
    return render(request, "portal/home.html", {"themes": themes})
