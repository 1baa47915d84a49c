from django.db import migrations

from enterprises import search


def update_triggers(apps, schema_editor):
    search.update_triggers(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL's search refresh parses each category's and sector's words once."""

    dependencies = [("enterprises", "0008_search_triggers_defer")]

    operations = [migrations.RunPython(update_triggers, migrations.RunPython.noop)]
