import django.db.models.deletion
from django.db import migrations, models

# The enterprise's own index, which purchase_enterprise_buyers_idx starts with. Dropped by name:
# altering the field would make SQLite copy the whole purchases table, and PostgreSQL check
# its foreign key again, only to drop an index.
ENTERPRISE_INDEX = "purchases_purchase_enterprise_id_f9e4e78c"


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0010_drop_redundant_indexes'),
        ('purchases', '0007_organization_purchase_summary'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='purchase',
            index=models.Index(fields=['enterprise', 'status', 'consent_to_publish', 'organization'], name='purchase_enterprise_buyers_idx'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='purchase',
                    name='enterprise',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='purchases', to='enterprises.enterprise', verbose_name='enterprise'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{ENTERPRISE_INDEX}"',
                    f'CREATE INDEX "{ENTERPRISE_INDEX}" ON "purchases_purchase" ("enterprise_id")',
                ),
            ],
        ),
    ]
