from .models import AccessibilityStatement


def accessibility(request):
    """The footer's conformity state, read from the cache only on pages that show it."""

    def conformity():
        value = AccessibilityStatement.current_conformity()
        return AccessibilityStatement.Conformity(value).label

    return {"accessibility_conformity": conformity}
