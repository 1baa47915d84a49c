import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

import enterprises.search.models
from enterprises import search
from enterprises.validators import fold


def fold_names(apps, schema_editor):
    enterprise = apps.get_model("enterprises", "Enterprise")
    for row in enterprise.objects.only("pk", "name").iterator():
        enterprise.objects.filter(pk=row.pk).update(name_folded=fold(row.name))


def create_search_index(apps, schema_editor):
    search.create_index(schema_editor)


def drop_search_index(apps, schema_editor):
    search.drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_reference_data")]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="name_folded",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                max_length=255,
                verbose_name="name without accents or capitals",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fold_names, migrations.RunPython.noop),
        # The search index lives outside Django's schema: see enterprises/search/.
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "enterprise",
                    models.OneToOneField(
                        db_column="rowid",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="enterprises.enterprise",
                    ),
                ),
                (
                    "fts",
                    enterprises.search.models.FullTextColumn(db_column="enterprises_search"),
                ),
                ("search_vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "enterprises_search", "managed": False},
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
