"""What an enterprise's people set in their portal outranks a network's next import (the
import's source ranking), and a curator's edit still outranks them."""

import io

import pytest
from django.contrib.auth import get_user_model

from enterprise_accounts import profiles
from enterprises.imports import pipeline
from enterprises.models import Enterprise, ImportRun, Network, Region
from tests.factories import EnterpriseMembershipFactory

pytestmark = pytest.mark.django_db

HEADER = "No membre,Nom,Code postal,Téléphone,Site web,Régions desservies\n"
FIRST = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0101,https://quai.example,03\n"
SECOND = HEADER + "1,Coop du Quai,G1R 1P4,418 555-0202,https://autre.example,03|12\n"


def import_file(content):
    run = ImportRun(network=Network.objects.get(slug="cesim"), file_name="export.csv",
                    dry_run=False)
    return pipeline.run_import(run, io.BytesIO(content.encode()))


def test_a_reimport_keeps_what_the_enterprise_set_in_its_portal():
    import_file(FIRST)
    coop = Enterprise.objects.get()
    person = EnterpriseMembershipFactory(enterprise=coop).user
    staff = get_user_model().objects.create_user("curator", is_staff=True)
    values = {name: profiles.field_value(coop, name) for name in profiles.EDITABLE_FIELDS}
    values["service_area"] = [Region.objects.get(code="04").pk]
    values["phone"] = "+1 418-555-0999"
    _written, request = profiles.submit_profile(coop, person, values)
    profiles.approve(request, staff)

    import_file(SECOND)

    coop.refresh_from_db()
    assert coop.phone == "+1 418-555-0999"
    assert list(coop.service_area.values_list("code", flat=True)) == ["04"]
    # The network still updates what the enterprise never touched.
    assert coop.website == "https://autre.example"
