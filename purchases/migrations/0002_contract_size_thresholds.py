"""The default contract-size thresholds; staff keep them current in the admin."""

import json

from django.conf import settings
from django.db import migrations


def load_thresholds(apps, schema_editor):
    threshold = apps.get_model("purchases", "ContractSizeThreshold")
    path = settings.BASE_DIR / "fixtures" / "reference" / "contract_size_thresholds.json"
    for row in json.loads(path.read_text(encoding="utf-8")):
        threshold.objects.update_or_create(
            effective_from=row.pop("effective_from"), defaults=row
        )


class Migration(migrations.Migration):
    dependencies = [("purchases", "0001_initial")]

    operations = [migrations.RunPython(load_thresholds, migrations.RunPython.noop)]
