from django.db import migrations

from enterprises import search


def update_triggers(apps, schema_editor):
    search.update_triggers(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL's search triggers skip rows written while a bulk load defers the index."""

    dependencies = [("enterprises", "0007_directory_revision")]

    operations = [migrations.RunPython(update_triggers, migrations.RunPython.noop)]
