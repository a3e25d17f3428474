from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications.models import REQUIRED_EVENTS, Event
from tickets.selectors import place_names

from .forms import ProfileForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "always_sent": [Event(event).label for event in Event if event in REQUIRED_EVENTS],
        "places": place_names(),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)
