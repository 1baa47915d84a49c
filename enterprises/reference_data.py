"""Reference lists (regions, sectors, categories, networks, labels) shipped in fixtures/reference.

A data migration loads them, so a migrated database always has them. Rows are matched on their
natural key and updated in place, which makes loading again after an edit to the files safe.
"""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

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


def read_reference_csv(name):
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def mrc_code(code):
    """The official list of municipalities writes MRC codes with three digits; the list of
    MRCs writes most with two (``07`` is ``070``)."""
    return code if len(code) == 3 else f"{code}0"


def equivalent_territory(row, territories):
    """The MRC code of a municipality the official list leaves outside any MRC (cities,
    agglomerations, reserves): the territory of its census division (``66`` Montréal is TE
    ``660``) or of its own name (Trois-Rivières, Lévis, Saguenay), in its region. Nord-du-Québec's
    places have none."""
    region = row["region_code"]
    for key in (
        slugify(row["census_division_name"]), slugify(row["name"]),
        f"{row['census_division_code']}0",
    ):
        if (region, key) in territories:
            return territories[region, key]
    return ""


def load_places(apps, schema_editor=None):
    """Create or update the MRCs and municipalities of ``mrcs.csv`` and ``municipalities.csv``
    (official lists, see fixtures/reference/README.md), keyed on their official codes."""
    Region = apps.get_model("enterprises", "Region")
    Mrc = apps.get_model("enterprises", "Mrc")
    Municipality = apps.get_model("enterprises", "Municipality")
    regions = dict(Region.objects.values_list("code", "pk"))
    slugs = set()
    mrcs = {}
    for row in read_reference_csv("mrcs.csv"):
        code = mrc_code(row["mrc_code"])
        if code in mrcs:  # the list repeats an MRC that spans two census divisions
            continue
        slug = slugify(row["mrc_name"])
        if slug in slugs:
            slug = f"{slug}-{code}"
        slugs.add(slug)
        mrc, _created = Mrc.objects.update_or_create(code=code, defaults={
            "name": row["mrc_name"], "kind": row["kind"], "slug": slug,
            "region_id": regions[row["region_code"]],
        })
        mrcs[code] = mrc.pk
    territories = {}
    for row in read_reference_csv("mrcs.csv"):
        for key in (slugify(row["mrc_name"]), mrc_code(row["mrc_code"])):
            territories[row["region_code"], key] = mrc_code(row["mrc_code"])
    for row in read_reference_csv("municipalities.csv"):
        code = row["mrc_code"] or equivalent_territory(row, territories)
        Municipality.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"],
            "designation": row["designation"],
            "region_id": regions[row["region_code"]],
            "mrc_id": mrcs.get(code) if code else None,
            "census_division_code": row["census_division_code"],
            "census_division_name": row["census_division_name"],
            "town_hall_postal_code": row["town_hall_postal_code"],
            "population": int(row["population"]) if row["population"].isdigit() else None,
        })
