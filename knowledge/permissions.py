"""Who reads and who writes the knowledge base: the one place that decides."""

from tickets import permissions as ticket_permissions

from .models import Article


def can_read(user, article: Article) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return article.is_public or ticket_permissions.is_technician(user)


def can_write(user) -> bool:
    """Every technician of every team writes: the point is sharing between them."""
    return ticket_permissions.is_active_technician(user)
