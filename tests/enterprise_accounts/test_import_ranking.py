"""What an enterprise's people set in their portal outranks a network's next import (the
import's source ranking), and a curator's edit still outranks them."""

import io

import pytest
from django.contrib.auth import get_user_model

from enterprise_accounts import profiles
from enterprises.imports import pipeline
from enterprises.models import Enterprise, ImportReviewItem, ImportRun, Network, Region
from tests.factories import EnterpriseMembershipFactory

pytestmark = pytest.mark.django_db

HEADER = "No membre,Nom,Code postal,Téléphone,Site web,Régions desservies\n"
FIRST = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0101,https://quai.example,03\n"
SECOND = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0202,https://autre.example,03|12\n"


def import_file(content):
    run = ImportRun(network=Network.objects.get(slug="cesim"), file_name="export.csv",
                    dry_run=False)
    return pipeline.run_import(run, io.BytesIO(content.encode()))


def set_in_portal(coop, **changes):
    """The enterprise's person saves these values and staff approve the text."""
    person = EnterpriseMembershipFactory(enterprise=coop).user
    staff = get_user_model().objects.create_user("curator", is_staff=True)
    values = {name: profiles.field_value(coop, name) for name in profiles.EDITABLE_FIELDS}
    _written, request = profiles.submit_profile(coop, person, {**values, **changes})
    profiles.approve(request, staff)


def test_a_reimport_keeps_what_the_enterprise_set_in_its_portal():
    import_file(FIRST)
    coop = Enterprise.objects.get()
    set_in_portal(coop, service_area=[Region.objects.get(code="04").pk],
                  phone="+1 418-555-0999")

    import_file(SECOND)

    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0999"
    assert list(coop.service_area.values_list("code", flat=True)) == ["04"]
    # The network still updates what the enterprise never touched.
    assert coop.website == "https://autre.example"


def test_a_curator_edit_outranks_what_the_enterprise_set_and_the_import():
    import_file(FIRST)
    coop = Enterprise.objects.get()
    set_in_portal(coop, phone="+1 418-555-0999")
    # A curator corrects the number the enterprise gave.
    coop.refresh_from_db()
    coop.phone = "+1 418-555-0777"
    coop.record_curator_edit(["phone"])
    coop.save()

    import_file(SECOND)

    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0777"
    # The network's differing number waits for staff as a conflict, not silently dropped.
    conflict = ImportReviewItem.objects.get(enterprise=coop, field="phone")
    assert conflict.kind == ImportReviewItem.Kind.CURATED_FIELD
    assert (conflict.current_value, conflict.incoming_value) == ("+1 418-555-0777",
                                                                 "+1 418-555-0202")
