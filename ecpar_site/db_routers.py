"""Send reads to the read replica and everything else to the primary."""

from django.db import connections


class PrimaryReplicaRouter:
    """Installed only when DATABASE_REPLICA_URL is set.

    Inside a transaction on the primary, reads stay there too: a view that writes then reads
    back must see its own write, which a lagging replica may not have yet.
    """

    def db_for_read(self, model, **hints):
        if connections["default"].in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: any two objects may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
