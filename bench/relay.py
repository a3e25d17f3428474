"""How fast the outbox relay drains a backlog into a local SMTP sink, and its memory.

Used by bench/scale.py on a database bench/data.py built; alone:
`python bench/relay.py help_bench_100k 100000 1` queues 100,000 messages (half "ticket
created", half "followup added"), starts an aiosmtpd sink in its own process and the
given number of relay processes, and prints messages per second and each process's
resident memory after its first batch and at the end (flat memory: the two stay close).
The sink offers PIPELINING, as Postfix, Exim and Exchange do.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import free_port, rss_mb, use_database

HERE = Path(__file__).resolve().parent


def queue_messages(count: int) -> None:
    """Replace the outbox with `count` due messages about the database's tickets."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
        cursor.execute("SELECT min(id), count(*) FROM tickets_ticket")
        first, size = cursor.fetchone()
        cursor.execute("SELECT min(id) FROM tickets_followup")
        (first_followup,) = cursor.fetchone()
        # data.py wrote four followups per ticket in ticket order, the first one public.
        cursor.execute(
            """
            INSERT INTO notifications_notification (event, ticket_id, recipient_id, email,
                language, context, dedupe_key, state, attempts, next_attempt_at,
                last_error, created_at)
            SELECT CASE WHEN g %% 2 = 0 THEN 'ticket_created' ELSE 'followup_added' END,
                t.id, u.id, u.email, 'fr',
                CASE WHEN g %% 2 = 0 THEN '{}'::jsonb
                     ELSE jsonb_build_object('followup', %s + 4 * (t.id - %s)) END,
                'bench-' || g, 'pending', 0, now(), '', now()
            FROM generate_series(0, %s - 1) AS g
            JOIN tickets_ticket t ON t.id = %s + g %% %s
            JOIN accounts_user u ON u.id = t.requester_id
            """,
            [first_followup, first, count, first, size],
        )
        cursor.execute("ANALYZE notifications_notification")


def work() -> None:
    """One relay process: send batches until nothing is due; print what it measured."""
    from notifications import sending

    sent, rss, start = 0, [], time.time()
    while True:
        claimed, batch_sent = sending.send_batch()
        if not claimed:
            break
        sent += batch_sent
        rss.append(rss_mb(os.getpid()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "sent": sent,
                "start": start,
                "end": time.time(),
                "rss_first_batch": rss[0] if rss else 0,
                "rss_end": rss[-1] if rss else 0,
                "rss_peak": peak,
            }
        )
    )


class PipeliningSink:
    """aiosmtpd's Sink handler, announcing PIPELINING (aiosmtpd reads commands in order)."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "250 OK"


def sink(port: int) -> None:
    import asyncio

    from aiosmtpd.controller import Controller

    Controller(PipeliningSink(), hostname="127.0.0.1", port=port).start()
    asyncio.run(asyncio.Event().wait())


def measure(database: str, count: int, workers: int) -> dict:
    """Queue `count` messages and drain them with `workers` processes into a sink."""
    queue_messages(count)
    port = free_port()
    sink = subprocess.Popen([sys.executable, str(HERE / "relay.py"), "-", "sink", str(port)])
    env = {
        **os.environ,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    time.sleep(1)
    try:
        command = [sys.executable, str(HERE / "relay.py"), database, "work"]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(workers)
        ]
        reports = [json.loads(process.communicate()[0]) for process in processes]
    finally:
        sink.terminate()
        sink.wait()
    from notifications.models import Notification

    seconds = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    return {
        "messages": count,
        "workers": workers,
        "sent": sum(r["sent"] for r in reports),
        "left": Notification.objects.exclude(state=Notification.State.SENT).count(),
        "seconds": seconds,
        "per_second": sum(r["sent"] for r in reports) / seconds,
        "rss": [(r["rss_first_batch"], r["rss_end"], r["rss_peak"]) for r in reports],
    }


def show(result: dict) -> None:
    memory = ", ".join(f"{a:.0f} → {b:.0f} MB (peak {c:.0f})" for a, b, c in result["rss"])
    print(
        f"relay, {result['workers']} worker(s): {result['sent']}/{result['messages']} sent"
        f" in {result['seconds']:.1f} s, {result['per_second']:.0f} messages/s,"
        f" {result['left']} left; memory after the first batch → at the end: {memory}"
    )


if __name__ == "__main__":
    if sys.argv[2] == "sink":
        sink(int(sys.argv[3]))
    use_database(sys.argv[1])
    if sys.argv[2] == "work":
        work()
    else:
        show(measure(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
