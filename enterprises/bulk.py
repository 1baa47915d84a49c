"""Bulk INSERTs of plain Python values, without model instances: for imports and the demo data,
where ``bulk_create``'s per-object bookkeeping costs more than the database's work."""

import datetime
import itertools
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

BATCH_SIZE = 1000


def insert_rows(model, attnames, rows, returning=(), conflict=""):
    """INSERT rows of plain Python values, BATCH_SIZE rows each; returns the ``returning``
    columns of every row.

    SQLite takes one multi-row VALUES list. PostgreSQL takes the batch as one JSON document
    through ``jsonb_to_recordset``: psycopg parses placeholders and quotes array items in
    Python, which cost more than the insert itself.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in attnames]
    columns = ", ".join(quote(field.column) for field in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
    if connection.vendor == "postgresql":
        record = ", ".join(f"{quote(field.column)} {field.db_type(connection)}" for field in fields)
        head += f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS batch({record})"
        names = [field.column for field in fields]
    else:
        adapters = [(position, sqlite_adapter(field)) for position, field in enumerate(fields)]
        adapters = [(position, adapt) for position, adapt in adapters if adapt]
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = conflict
    if returning:
        tail += " RETURNING " + ", ".join(quote(name) for name in returning)
    rows, returned = iter(rows), []
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            if connection.vendor == "postgresql":
                document = json.dumps([dict(zip(names, row, strict=True)) for row in batch],
                                      cls=RowEncoder)
                cursor.execute(head + tail, [document])
            else:
                cursor.execute(
                    f"{head}VALUES {', '.join([row_sql] * len(batch))}{tail}",
                    list(itertools.chain.from_iterable(sqlite_rows(batch, adapters))),
                )
            if returning:
                returned.extend(cursor.fetchall())
    return returned


def copy_rows(model, attnames, rows):
    """PostgreSQL: load rows of plain values with COPY, for rows that cannot conflict (the
    links of enterprises just created): cheaper for the client and the server than a JSON
    document, a few hundred thousand rows a load. Elsewhere, ``insert_rows``.

    COPY bypasses Django's execute wrappers: call it after a statement of the same load has
    gone through them (one that waits for what they sent, such as a background refresh)."""
    if connection.vendor != "postgresql":
        insert_rows(model, attnames, rows)
        return
    from psycopg.types.json import Jsonb  # only installed where PostgreSQL is used

    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in attnames]
    columns = ", ".join(quote(field.column) for field in fields)
    # JSON columns take a Jsonb value: COPY would write a list as an array.
    json_positions = [position for position, field in enumerate(fields)
                      if isinstance(field, models.JSONField)]
    # psycopg's own cursor raises psycopg's errors: the wrapper makes them Django's, which
    # callers catch (a refused row rolls the import back like any other statement).
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
        f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        for row in rows:
            if json_positions:
                row = list(row)
                for position in json_positions:
                    row[position] = Jsonb(row[position], dumps=dump_json)
            copy.write_row(row)


def copy_rows_with_ids(model, attnames, rows):
    """PostgreSQL: ``copy_rows`` for new objects, their ids drawn from the table's sequence
    first (COPY returns nothing); returns the ids in the rows' order. Elsewhere an INSERT …
    RETURNING."""
    pk = model._meta.pk
    if connection.vendor != "postgresql":
        return [pk for (pk,) in insert_rows(model, attnames, rows, returning=(pk.column,))]
    rows = list(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    copy_rows(model, [pk.attname, *attnames], ([pk, *row] for pk, row in zip(ids, rows,
                                                                              strict=True)))
    return ids


def dump_json(value):
    return json.dumps(value, cls=RowEncoder)


class RowEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds): an unchanged import row
    is known by its source being seen after the enterprise's last change."""

    def default(self, o):
        if isinstance(o, datetime.date):
            return o.isoformat()
        return super().default(o)


def sqlite_rows(batch, adapters):
    """The batch's rows with their values written as SQLite stores them. A value shared by
    many rows (the same timestamp, a default) is converted once per batch; the batch keeps
    each object alive, so its id is a safe key."""
    converted = {}
    for row in batch:
        row = list(row)
        for position, adapt in adapters:
            value = row[position]
            key = (position, id(value))
            if key not in converted:
                converted[key] = adapt(value)
            row[position] = converted[key]
        yield row


def sqlite_adapter(field):
    """How a plain value of this field is written on SQLite (None: as it is)."""
    if isinstance(field, models.JSONField):
        return lambda value: connection.ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, (models.UUIDField, models.DecimalField)):
        return lambda value: field.get_db_prep_save(value, connection)
    return None
