"""Reference lists (regions, sectors, categories, networks, labels) shipped in fixtures/reference.

A data migration loads them, so a migrated database always has them. Rows are matched on their
natural key and updated in place, which makes loading again after an edit to the files safe.
"""

import json
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"

# (file, model, natural key) in loading order: a category's parent comes before the category.
REFERENCE_FILES = [
    ("regions.json", "Region", "code"),
    ("sectors.json", "Sector", "slug"),
    ("categories.json", "Category", "slug"),
    ("networks.json", "Network", "slug"),
    ("labels.json", "Label", "slug"),
]


def read_reference_file(name):
    return json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))


def load_reference_data(apps, schema_editor=None):
    """Create or update every reference row, with the models as the migration sees them."""
    for file_name, model_name, key in REFERENCE_FILES:
        model = apps.get_model("enterprises", model_name)
        for row in read_reference_file(file_name):
            fields = dict(row)
            if model_name == "Category":
                parent_slug = fields.pop("parent", None)
                fields["parent"] = (
                    model.objects.get(slug=parent_slug) if parent_slug else None
                )
            model.objects.update_or_create(**{key: fields.pop(key)}, defaults=fields)
