"""The review queue and the enterprise page's section cost the same queries for any number
of items."""

import pytest
from django.urls import reverse

from enterprise_accounts.models import ChangeRequest, Claim, ErrorReport
from enterprise_accounts.sections import enterprise_files, enterprise_profile
from tests.factories import EnterpriseFactory, EnterpriseFileFactory, ImportReviewItemFactory

pytestmark = pytest.mark.django_db


def fill_queue(count):
    for _number in range(count):
        enterprise = EnterpriseFactory()
        ChangeRequest.objects.create(enterprise=enterprise, changes={"description_fr": "x"},
                                     previous={"description_fr": ""})
        Claim.objects.create(enterprise=enterprise, name="Léa", role_title="DG",
                             email="lea@example.com", language="fr",
                             state=Claim.State.AWAITING_STAFF)
        ErrorReport.objects.create(enterprise=enterprise, message="Fermée.")
        ImportReviewItemFactory(enterprise=enterprise)


@pytest.mark.parametrize("count", [1, 6])
def test_the_review_queue_costs_the_same_queries_for_any_length(
    staff_client, django_assert_max_num_queries, count
):
    fill_queue(count)
    # Session and user, then one query per list: changes, claims, files, reports, import
    # review items (with run and network), stale profiles; the admin's sidebar of apps reads
    # none.
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("admin:enterprise_accounts_queue"))
    assert response.content.decode().count("Fermée.") == count


def test_the_enterprise_page_reads_files_only_for_an_enterprise_that_has_some(
    client, django_assert_num_queries
):
    bare, illustrated = EnterpriseFactory(), EnterpriseFactory()
    EnterpriseFileFactory(enterprise=illustrated, title="Attestation insertion 2026")
    with django_assert_num_queries(0):
        enterprise_profile(bare, None)
    with django_assert_num_queries(1):
        section = enterprise_files(illustrated, None)
    assert [item.title for item in section["documents"]] == ["Attestation insertion 2026"]
    assert "Attestation insertion 2026" not in client.get(bare.get_absolute_url()).content.decode()
    assert "Attestation insertion 2026" in client.get(
        illustrated.get_absolute_url()).content.decode()
