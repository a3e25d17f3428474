class DomainError(Exception):
    """A change the rules forbid; its message is translated for the user.

    Each domain derives its own (tickets.errors.TicketError, ...); views catch this base
    and show the message.
    """
