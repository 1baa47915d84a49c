"""Live progress of a running import, readable while its transaction is still open.

The import writes everything in one transaction, so a counter saved on the run would stay
invisible until the end. Progress goes to the cache (shared by every server when
``REDIS_URL`` is set) and, on PostgreSQL, to the run's row through a connection of its own,
committed at once. SQLite allows one writer at a time: there the cache alone carries it.
"""

from django.core.cache import cache
from django.db import DatabaseError, connections

# Every so many rows; each report costs a cache write and, on PostgreSQL, one UPDATE.
EVERY_ROWS = 5000
CACHE_SECONDS = 24 * 3600


def cache_key(run_pk):
    return f"import-progress:{run_pk}"


def rows_done(run):
    """Rows processed so far, from whichever record is ahead."""
    return max(run.processed_rows, cache.get(cache_key(run.pk)) or 0)


class Progress:
    """Reports a run's processed rows every ``EVERY_ROWS`` rows; close it when done.

    Create it before the import's transaction opens: inside someone else's transaction the
    run's row may be locked by it, and a second connection would wait for it forever.
    """

    def __init__(self, run, using="default"):
        self.run = run
        self.using = using
        self.reported = 0
        self.side_connection = None
        db_connection = connections[using]
        self.save_outside = (
            db_connection.vendor == "postgresql" and not db_connection.in_atomic_block
        )

    def __call__(self, rows, force=False):
        if not force and rows - self.reported < EVERY_ROWS:
            return
        self.reported = rows
        cache.set(cache_key(self.run.pk), rows, CACHE_SECONDS)
        if self.save_outside and self.run.pk:
            self.save_outside_transaction(rows)

    def save_outside_transaction(self, rows):
        try:
            if self.side_connection is None:
                self.side_connection = connections.create_connection(self.using)
                with self.side_connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side_connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.run._meta.db_table} SET processed_rows = %s WHERE id = %s",
                    [rows, self.run.pk],
                )
        except DatabaseError:
            # Progress is a courtesy: a lost report never stops the import.
            self.close()
            self.save_outside = False

    def close(self):
        cache.delete(cache_key(self.run.pk))
        if self.side_connection is not None:
            self.side_connection.close()
            self.side_connection = None
