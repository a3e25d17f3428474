"""A university's worth of tickets in a throw-away database, written with COPY.

`python bench/data.py 100000` builds `help_bench_100k` (any size: `help_bench_<n>`; another
prefix than `help_bench` with BENCH_DB_PREFIX, so that two people's runs do not collide):
5,000 requesters, 300 technicians in 10 teams (a manager each) and a supervisor of all
ten; the tickets 45% open (new, assigned, planned, pending), 15% solved with their
solution waiting (solved over the last two weeks, so about half are due for the
auto-close), 40% closed, spread over three years; four followups each (one private),
a solution on every solved or closed ticket, an observer on one ticket in twenty, a
beneficiary other than the requester on one in ten; and one ticket with 200 items.
"""

import os
import sys
from datetime import timedelta

from common import fresh_database

REQUESTERS = 5000
TEAMS = 10
TECHNICIANS_PER_TEAM = 30
WORDS = ["imprimante", "courriel", "vpn", "wifi", "écran", "clavier", "badge", "sifac"]
RARE = "vidéoprojecteur"  # in one ticket in 20,011 (25 of 500,000), for the search
# Out of 20 tickets: 9 open (45%), 3 solved and waiting (15%), 8 closed (40%).
STATUSES = [1, 2, 2, 3, 4, 2, 1, 2, 4, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6]


def database_name(size: int) -> str:
    prefix = os.environ.get("BENCH_DB_PREFIX", "help_bench")
    return f"{prefix}_{size // 1000}k" if size % 1000 == 0 else f"{prefix}_{size}"


def _copy(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        names = ", ".join(columns)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _users(prefix: str, count: int, now) -> list[int]:
    from accounts.models import User

    _copy(
        User._meta.db_table,
        ["password", "is_superuser", "username", "first_name", "last_name", "is_staff"]
        + ["is_active", "date_joined", "email", "display_name", "phone", "language"]
        + ["muted_notifications", "affiliation", "department", "newest_first"],
        (
            ["!", False, f"{prefix}{n}", "Prénom", f"Nom {n}", False, True, now]
            + [f"{prefix}{n}@univ.example", f"Prénom Nom {prefix}{n}", "", "fr", "[]", "", ""]
            + [False]
            for n in range(count)
        ),
    )
    return list(
        User.objects.filter(username__startswith=prefix).order_by("pk").values_list("pk", flat=True)
    )


def build(size: int) -> dict:
    """Create the database for `size` tickets; return the personas' and tickets' ids."""
    fresh_database(database_name(size))
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from tickets import fulltext
    from tickets.models import Followup, Solution, Team, TeamMembership, Ticket

    now = timezone.now()
    requesters = _users("demandeur", REQUESTERS, now)
    technicians = _users("technicien", TEAMS * TECHNICIANS_PER_TEAM, now)
    supervisor = User.objects.create(username="superviseur", email="sup@univ.example")
    teams = [Team.objects.create(name=f"DSIN - Équipe {n}").pk for n in range(TEAMS)]
    members = {team: technicians[n::TEAMS] for n, team in enumerate(teams)}
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(team_id=team, user_id=user, is_manager=index == 0)
            for team, users in members.items()
            for index, user in enumerate(users)
        ]
        + [TeamMembership(team_id=team, user_id=supervisor.pk, is_manager=True) for team in teams]
    )
    span = timedelta(days=3 * 365) / size

    def tickets():
        for n in range(size):
            status = STATUSES[n % 20]
            team = teams[n % TEAMS]
            requester = requesters[n % REQUESTERS]
            beneficiary = requesters[(n * 7 + 1) % REQUESTERS] if n % 10 == 3 else requester
            created = now - span * (size - n) - timedelta(days=14)
            solved = now - timedelta(days=n % 14, hours=1) if status == 5 else created + span
            # A word whatever the status and the team: n % 8 would follow n % 20 and n % 10,
            # leaving "imprimante" to open tickets of even-numbered teams only.
            word = WORDS[(n // 20) % len(WORDS)] if n % 20011 != 5 else RARE
            yield [
                "incident" if n % 3 else "request",
                f"Problème {word} n°{n}",
                f"<p>Le {word} ne fonctionne plus depuis ce matin.</p>",
                status,
                3,
                3,
                3,
                "onsite",
                "portal",
                "{}",
                created,
                None if status == 1 else created,
                solved if status >= 5 else None,
                solved + timedelta(days=7) if status == 5 else None,
                created + span * 2 if status == 6 else None,
                solved if status >= 5 else created,
                None if status == 1 else members[team][(n // TEAMS) % TECHNICIANS_PER_TEAM],
                beneficiary,
                requester,
                team,
            ]

    _copy(
        Ticket._meta.db_table,
        ["type", "title", "description", "status", "urgency", "impact", "priority"]
        + ["location_mode", "source", "answers", "created_at", "taken_at", "solved_at"]
        + ["auto_close_at", "closed_at", "last_activity_at", "assignee_id", "beneficiary_id"]
        + ["requester_id", "team_id"],
        tickets(),
    )
    first = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    _copy(
        Followup._meta.db_table,
        ["ticket_id", "author_id", "content", "is_private", "created_at"],
        (
            [first + n, requesters[n % REQUESTERS] if item % 2 else technicians[n % 300]]
            + [f"<p>Suivi {item} : toner commandé chez le fournisseur {n}</p>", item == 3, now]
            for n in range(size)
            for item in range(4)
        ),
    )
    _copy(
        Solution._meta.db_table,
        ["ticket_id", "author_id", "content", "status", "created_at", "decided_at"],
        (
            [first + n, technicians[n % 300], "<p>Pilote réinstallé.</p>"]
            + (["waiting", now, None] if STATUSES[n % 20] == 5 else ["accepted", now, now])
            for n in range(size)
            if STATUSES[n % 20] >= 5
        ),
    )
    _copy(
        Ticket.observers.through._meta.db_table,
        ["ticket_id", "user_id"],
        ([first + n, requesters[(n * 13 + 5) % REQUESTERS]] for n in range(0, size, 20)),
    )
    last_pending = size - 1 - (size - 9) % 20  # the last ticket numbered 8 of 20: pending
    big = first + last_pending  # given 196 more followups: 200 items
    _copy(
        Followup._meta.db_table,
        ["ticket_id", "author_id", "content", "is_private", "created_at"],
        ([big, technicians[0], f"<p>Suivi {n}</p>", False, now] for n in range(196)),
    )
    fulltext.rebuild()  # the words the search reads, which COPY left unwritten
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ticket = Ticket.objects.get(pk=big)
    return {
        "technician": ticket.assignee_id,
        "supervisor": supervisor.pk,
        "requester": requesters[0],
        "small": big - 20,  # pending too, in the same team
        "big": big,
    }


if __name__ == "__main__":
    import time

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    print(build(size), f"{size} tickets in {time.perf_counter() - start:.1f} s")
