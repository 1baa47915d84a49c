import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Claims and change requests record staff's decision in the same fields."""

    dependencies = [
        ("enterprise_accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("changerequest", "reviewed_by", "decided_by"),
        migrations.RenameField("changerequest", "reviewed_at", "decided_at"),
        migrations.AlterField(
            model_name="changerequest",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided"),
        ),
        migrations.AlterField(
            model_name="changerequest",
            name="decided_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="decided by",
            ),
        ),
    ]
