"""English pages quote the declaration's French name with English quotation marks (“…”), as
the rest of the English site does; only the seeded wording is replaced, so staff edits stay."""

from django.db import migrations

FRENCH_QUOTED = "« L'économie sociale, j'achète! »"
ENGLISH_QUOTED = "“L'économie sociale, j'achète!”"


def quote_in_english(apps, schema_editor):
    Page = apps.get_model("programs", "Page")
    for page in Page.objects.filter(body_en__contains=FRENCH_QUOTED):
        page.body_en = page.body_en.replace(FRENCH_QUOTED, ENGLISH_QUOTED)
        page.save(update_fields=["body_en"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_footer_pages")]

    operations = [migrations.RunPython(quote_in_english, migrations.RunPython.noop)]
