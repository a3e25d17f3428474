from tickets import permissions


def back_office(request):
    """Tell the menus whether to show the back office, the dashboard, "Nouveau ticket" (lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "show_back_office": lambda: permissions.can_use_back_office(user),
        "show_dashboard": lambda: permissions.is_supervisor(user),
        "show_new_ticket": lambda: permissions.is_active_technician(user),
    }
