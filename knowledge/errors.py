from core.errors import DomainError


class KnowledgeError(DomainError):
    """A change to the knowledge base that its rules forbid; the message is translated."""
