"""PostgreSQL: the links of enterprises (categories, sectors, regions served, labels) keep their
integrity through statement-level triggers instead of foreign keys.

A foreign key checks each row it guards with a query of its own at commit, which made up a
large share of the server's work in a first import (docs/performance.md). The triggers check a
whole statement's rows at once, with the guarantees of a foreign key: a link to an enterprise or
a category that does not exist is refused, the rows it refers to are locked as a foreign key
locks them (a concurrent delete waits, then is refused), and a delete, an id change or a
TRUNCATE that would leave links behind is refused. Django still deletes an enterprise's or a
category's links before the row itself, as before.

The check runs at the end of each statement instead of at commit: Django writes a link after
both rows it joins. SQLite keeps its foreign keys, checked in its own process.
"""

from django.db import migrations

# Django's model state still holds these foreign keys: an AlterField of one of them would
# create its constraint again, which only costs the per-row checks back.

CHECK_REFERENCES = """
    CREATE OR REPLACE FUNCTION enterprises_check_references() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        wanted bigint;
        found bigint;
        missing text;
    BEGIN
        -- Arguments: column, table it refers to, column, table...
        FOR n IN 0 .. TG_NARGS - 1 BY 2 LOOP
            EXECUTE format('SELECT count(DISTINCT %I) FROM new_rows', TG_ARGV[n])
                INTO wanted;
            EXECUTE format(
                'SELECT count(*) FROM (SELECT FROM %2$I WHERE id IN (SELECT %1$I FROM new_rows)'
                ' FOR KEY SHARE) AS locked', TG_ARGV[n], TG_ARGV[n + 1]
            ) INTO found;
            IF found < wanted THEN
                EXECUTE format(
                    'SELECT n.%1$I FROM new_rows n'
                    ' WHERE NOT EXISTS (SELECT FROM %2$I p WHERE p.id = n.%1$I) LIMIT 1',
                    TG_ARGV[n], TG_ARGV[n + 1]
                ) INTO missing;
                RAISE foreign_key_violation USING
                    MESSAGE = format('insert or update on table "%s" refers to a missing row'
                                     ' of table "%s"', TG_TABLE_NAME, TG_ARGV[n + 1]),
                    DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                                    TG_ARGV[n], missing, TG_ARGV[n + 1]);
            END IF;
        END LOOP;
        RETURN NULL;
    END $$
"""

REFUSE_REFERENCED = """
    CREATE OR REPLACE FUNCTION enterprises_refuse_referenced() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        referenced text;
    BEGIN
        -- Arguments: table that refers to this one, its column, table, column...
        FOR n IN 0 .. TG_NARGS - 1 BY 2 LOOP
            IF TG_OP = 'TRUNCATE' THEN
                EXECUTE format('SELECT %2$I FROM %1$I LIMIT 1',
                               TG_ARGV[n], TG_ARGV[n + 1]) INTO referenced;
            ELSIF TG_LEVEL = 'ROW' THEN  -- an id changed
                EXECUTE format('SELECT %2$I FROM %1$I WHERE %2$I = $1 LIMIT 1',
                               TG_ARGV[n], TG_ARGV[n + 1])
                    INTO referenced USING OLD.id;
            ELSE
                EXECUTE format('SELECT c.%2$I FROM %1$I c JOIN old_rows o ON o.id = c.%2$I'
                               ' LIMIT 1', TG_ARGV[n], TG_ARGV[n + 1])
                    INTO referenced;
            END IF;
            IF referenced IS NOT NULL THEN
                RAISE foreign_key_violation USING
                    MESSAGE = format('update or delete on table "%s" would leave rows of'
                                     ' table "%s" without it', TG_TABLE_NAME, TG_ARGV[n]),
                    DETAIL = format('Key (id)=(%s) is still referenced from table "%s".',
                                    referenced, TG_ARGV[n]);
            END IF;
        END LOOP;
        RETURN NULL;
    END $$
"""


def links(apps):
    """(link model, its foreign keys) of each of the enterprise's many-to-many relations."""
    enterprise = apps.get_model("enterprises", "Enterprise")
    for name in ("categories", "sectors", "service_area", "labels"):
        through = enterprise._meta.get_field(name).remote_field.through
        yield through, [field for field in through._meta.local_fields if field.remote_field]


def replace_foreign_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CHECK_REFERENCES, None)  # None: their % are format()'s, not parameters
    schema_editor.execute(REFUSE_REFERENCED, None)
    referrers = {}  # referenced table → [(link table, column), ...]
    for through, keys in links(apps):
        table = through._meta.db_table
        for field in keys:
            for name in schema_editor._constraint_names(through, [field.column],
                                                        foreign_key=True):
                schema_editor.execute(schema_editor._delete_fk_sql(through, name))
            referrers.setdefault(field.related_model._meta.db_table, []).append(
                (table, field.column))
        arguments = ", ".join(
            f"'{value}'" for field in keys
            for value in (field.column, field.related_model._meta.db_table)
        )
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_references_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION enterprises_check_references({arguments})"
            )
    for table, pairs in referrers.items():
        arguments = ", ".join(f"'{value}'" for pair in pairs for value in pair)
        for trigger in (
            f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
            f"AFTER UPDATE OF id ON {table} FOR EACH ROW WHEN (OLD.id <> NEW.id)",
            f"AFTER TRUNCATE ON {table} FOR EACH STATEMENT",
        ):
            event = trigger.split()[1].lower()
            schema_editor.execute(
                f"CREATE TRIGGER {table}_referenced_{event} {trigger} "
                f"EXECUTE FUNCTION enterprises_refuse_referenced({arguments})"
            )


def restore_foreign_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = set()
    for through, keys in links(apps):
        tables.add(through._meta.db_table)
        for field in keys:
            tables.add(field.related_model._meta.db_table)
            schema_editor.execute(schema_editor._create_fk_sql(
                through, field, "_fk_%(to_table)s_%(to_column)s"
            ))
    for table in sorted(tables):
        for suffix in ("references_insert", "references_update", "referenced_delete",
                       "referenced_update", "referenced_truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
    schema_editor.execute(
        "DROP FUNCTION enterprises_check_references, enterprises_refuse_referenced"
    )


class Migration(migrations.Migration):

    dependencies = [("enterprises", "0016_synonymset")]

    operations = [migrations.RunPython(replace_foreign_keys, restore_foreign_keys)]
