from core.errors import DomainError


class ReplyError(DomainError):
    """A canned answer the rules refuse; its message is translated for the user."""
