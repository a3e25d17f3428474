"""What the ticket domain announces: the one tie between tickets and the layer above it.

The services call `announce(name, **objects)` inside their transaction. The
notifications app subscribes once, at start-up (`NotificationsConfig.ready`), and
records its outbox rows in that same transaction, so what an announcement causes
commits or rolls back with the change. The ticket domain never imports that app.

Announcements and what they carry:
- "ticket_created": ticket, follows (the closed ticket it takes up, or None)
- "followup_added": followup
- "task_assigned": task
- "task_done": task (done_by is who did it)
- "ticket_taken": ticket (given to a technician for the first time)
- "ticket_pending": ticket, question (the latest public followup, or None)
- "task_added": task (a public one)
- "document_added": document (a public one, on the ticket itself)
- "ticket_transferred": ticket (now with its new team)
- "solution_proposed": solution
- "solution_refused": solution, reason (the followup that keeps the reason)
- "ticket_closed": ticket, automatic (False when the requester accepted)
- "tickets_auto_closed": ids (one batch of the auto-close)
- "ticket_changed": ticket, actor, changes ({field: (old, new)} for every field that
  changed, foreign keys as instances), at (when)
- "ticket_merged": ticket (the duplicate, now closed), into (the ticket that carries
  the request from now on; the duplicate's requester and beneficiary observe it)
- "service_level_warnings", "service_level_breaches": ids (servicelevels.models.Alert
  rows the escalation job has just written; servicelevels announces them here, so that
  the notifications app hears one stream)

A subscriber ignores the announcements it has nothing to do with.
"""

from collections.abc import Callable

_subscribers: list[Callable[..., None]] = []


def subscribe(subscriber: Callable[..., None]) -> None:
    """Hear every announcement as `subscriber(name, **objects)`; subscribing twice is once."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def announce(name: str, **objects) -> None:
    for subscriber in _subscribers:
        subscriber(name, **objects)
