class TicketError(Exception):
    """A change the workflow forbids; its message is translated for the user."""
