from core.errors import DomainError


class AccountError(DomainError):
    """A change to an account the rules forbid (an e-mail address already taken, ...)."""
