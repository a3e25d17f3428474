from core.errors import DomainError


class TicketError(DomainError):
    """A change the workflow forbids; its message is translated for the user."""
