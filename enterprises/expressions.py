"""Query expressions the directory needs on both databases."""

import json

from django.db import models


class IdListField(models.TextField):
    """Reads "3,17,42" (or NULL) back as [3, 17, 42]."""

    def from_db_value(self, value, expression, connection):
        return [int(pk) for pk in value.split(",")] if value else []


def outer_pk(compiler, connection):
    """The outer row's primary key as the query names it: its table quoted, or a bare alias
    such as U0 when the query is itself a subquery."""
    outer = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
    return f"{outer}.{connection.ops.quote_name(compiler.query.model._meta.pk.column)}"


class RelatedIds(models.Expression):
    """The ids that a link table's rows pointing at the outer row hold, as a list: a relation
    read in the same query as its enterprise.

    Written as SQL rather than as ``Subquery(…annotate(…))``: Django took 2.4 ms to compile
    five of those for the enterprise page, four times the query itself.
    """

    output_field = IdListField()

    def __init__(self, links, column, link="enterprise_id"):
        super().__init__()
        self.table = links._meta.db_table
        self.column = links._meta.get_field(column).column
        self.link = links._meta.get_field(link).column

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        function = "STRING_AGG" if connection.vendor == "postgresql" else "GROUP_CONCAT"
        outer = outer_pk(compiler, connection)
        return (
            f"(SELECT {function}(CAST({quote(self.column)} AS text), ',') "
            f"FROM {quote(self.table)} WHERE {quote(self.link)} = {outer})",
            [],
        )


def json_rows(connection, values):
    """SQL aggregating each row's ``values`` (SQL) into a JSON array of arrays, as text, or
    NULL when there is no row, on either database."""
    if connection.vendor == "postgresql":
        return f"CAST(JSON_AGG(JSON_BUILD_ARRAY({values})) AS text)"
    return f"NULLIF(JSON_GROUP_ARRAY(JSON_ARRAY({values})), '[]')"


class RowsField(models.TextField):
    """Reads ``json_rows`` back as tuples, each value through its model field
    (``expression.fields``)."""

    def from_db_value(self, value, expression, connection):
        rows = json.loads(value) if value else []
        return [
            tuple(field.to_python(v) for field, v in zip(expression.fields, row, strict=True))
            for row in rows
        ]


class RelatedRows(models.Expression):
    """The rows of a table that point at the outer row, as tuples of ``fields``: a short
    list read with its enterprise (its labels, with when and by whom each was awarded)."""

    output_field = RowsField()

    def __init__(self, model, fields, link="enterprise"):
        super().__init__()
        self.table = model._meta.db_table
        self.fields = [model._meta.get_field(name) for name in fields]
        self.link = model._meta.get_field(link).column

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        values = ", ".join(quote(field.column) for field in self.fields)
        return (
            f"(SELECT {json_rows(connection, values)} FROM {quote(self.table)} "
            f"WHERE {quote(self.link)} = {outer_pk(compiler, connection)})",
            [],
        )


class CountsField(models.TextField):
    """Reads ``json_rows`` of [key, count, label] back as tuples."""

    def from_db_value(self, value, expression, connection):
        return [tuple(row) for row in json.loads(value)] if value else []


class RelatedCounts(models.Expression):
    """How many rows of a table point at the outer row, among those with these field values,
    by the foreign key ``column``, with a field of the row each key points to:
    ``[(key, count, label)]``, read with the outer row.

    The enterprise page reads its published purchases counted by buyer, with the buyers'
    names, this way: most enterprises have none, and the others' come in the same query as
    the enterprise. Each name is a primary-key lookup, run only for the keys found.
    """

    output_field = CountsField()

    def __init__(self, model, column, values, label, link="enterprise"):
        super().__init__()
        key = model._meta.get_field(column)
        self.table = model._meta.db_table
        self.column = key.column
        self.link = model._meta.get_field(link).column
        self.values = [(model._meta.get_field(name), value) for name, value in values.items()]
        self.target = key.related_model._meta.db_table
        self.target_pk = key.related_model._meta.pk.column
        self.label = key.related_model._meta.get_field(label).column

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        column = quote(self.column)
        conditions = [f"{quote(self.link)} = {outer_pk(compiler, connection)}"]
        conditions += [f"{quote(field.column)} = %s" for field, _value in self.values]
        params = [field.get_db_prep_value(value, connection) for field, value in self.values]
        label = (
            f"(SELECT {quote(self.label)} FROM {quote(self.target)} "
            f"WHERE {quote(self.target_pk)} = counted.{column})"
        )
        rows = json_rows(connection, f"counted.{column}, counted.n, {label}")
        return (
            f"(SELECT {rows} FROM (SELECT {column}, COUNT(*) AS n FROM {quote(self.table)} "
            f"WHERE {' AND '.join(conditions)} GROUP BY {column}) AS counted)",
            params,
        )
