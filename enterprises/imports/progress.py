"""Live progress of a running import, readable while its transaction is still open, and its
heartbeat: the sign of life that tells a slow import from one whose process was killed.

The import writes everything in one transaction, so a counter saved on the run would stay
invisible until the end. Progress goes to the cache (shared by every server when
``REDIS_URL`` is set) and, on PostgreSQL, to the run's row through a connection of its own,
committed at once. SQLite allows one writer at a time: there the cache alone carries it.
"""

import time

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.utils import timezone

# Every so many rows, or seconds; each report costs a cache write and, on PostgreSQL, an UPDATE.
EVERY_ROWS = 5000
HEARTBEAT_SECONDS = 5
CACHE_SECONDS = 24 * 3600


def cache_key(run_pk):
    return f"import-progress:{run_pk}"


def heartbeat_key(run_pk):
    return f"import-heartbeat:{run_pk}"


def rows_done(run):
    """Rows processed so far, from whichever record is ahead."""
    return max(run.processed_rows, cache.get(cache_key(run.pk)) or 0)


def last_sign_of_life(run):
    """When the run's process last reported, from whichever record is ahead."""
    signs = [run.created_at, run.heartbeat_at, cache.get(heartbeat_key(run.pk))]
    return max(sign for sign in signs if sign is not None)


def beat(run):
    """Mark the run alive now (outside any transaction: the row is written at once)."""
    now = timezone.now()
    cache.set(heartbeat_key(run.pk), now, CACHE_SECONDS)
    type(run).objects.filter(pk=run.pk).update(heartbeat_at=now)
    run.heartbeat_at = now


class Progress:
    """Reports a run's processed rows every ``EVERY_ROWS`` rows; close it when done.

    Create it before the import's transaction opens: inside someone else's transaction the
    run's row may be locked by it, and a second connection would wait for it forever.
    """

    def __init__(self, run, using="default"):
        self.run = run
        self.using = using
        self.reported = 0
        self.beaten = time.monotonic()
        self.side_connection = None
        db_connection = connections[using]
        self.save_outside = (
            db_connection.vendor == "postgresql" and not db_connection.in_atomic_block
        )

    def __call__(self, rows, force=False):
        due = time.monotonic() - self.beaten >= HEARTBEAT_SECONDS
        if not force and not due and rows - self.reported < EVERY_ROWS:
            return
        self.reported, self.beaten = rows, time.monotonic()
        now = timezone.now()
        cache.set_many({cache_key(self.run.pk): rows, heartbeat_key(self.run.pk): now},
                       CACHE_SECONDS)
        if self.save_outside and self.run.pk:
            self.save_outside_transaction(rows, now)

    def save_outside_transaction(self, rows, now):
        try:
            if self.side_connection is None:
                self.side_connection = connections.create_connection(self.using)
                with self.side_connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side_connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.run._meta.db_table} SET processed_rows = %s, "
                    "heartbeat_at = %s WHERE id = %s",
                    [rows, now, self.run.pk],
                )
        except DatabaseError:
            # Progress is a courtesy: a lost report never stops the import.
            self.close()
            self.save_outside = False

    def close(self):
        cache.delete_many([cache_key(self.run.pk), heartbeat_key(self.run.pk)])
        if self.side_connection is not None:
            self.side_connection.close()
            self.side_connection = None
