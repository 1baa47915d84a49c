from django.db import migrations, models

from enterprises.validators import fold


def fold_names(apps, schema_editor):
    enterprise = apps.get_model("enterprises", "Enterprise")
    for row in enterprise.objects.only("pk", "name").iterator():
        enterprise.objects.filter(pk=row.pk).update(name_folded=fold(row.name))


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
    ]
