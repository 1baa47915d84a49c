"""A member's large upload: checked by a background job while its status page waits."""

import html
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from purchases.models import Purchase
from purchases.uploads import STORAGE_FOLDER
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PURCHASES = (
    "supplier_name;description;amount;award_date;procurement_method;consent_to_publish\r\n"
    "TRAITEUR DU VIEUX-PORT;Repas de l'assemblée annuelle;1200,50;2025-01-10;direct;1\r\n"
    "Coop Boulot’Vert;Entretien paysager à Trois-Rivières (Québec);8000;2025-02-10;direct;0\r\n"
)


@pytest.fixture(autouse=True)
def every_file_is_large(settings):
    settings.UPLOAD_READ_IN_PROCESS_BYTES = 10
    cache.clear()


@pytest.fixture
def member(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def send(client, dry_run):
    data = {"file": SimpleUploadedFile("achats.csv", PURCHASES.encode("cp1252"))}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("purchases:purchase_upload"), data)


def test_large_file_answers_at_once_with_a_status_page_that_waits_for_the_job(client, member):
    response = send(client, dry_run=True)

    status = client.get(response.url)
    assert response.url.startswith(reverse("purchases:purchase_upload"))
    page = status.content.decode()
    # The page asks again by script, in place: a timed reload of the page could not be stopped.
    assert "purchases/upload-status.js" in page and "data-waiting" in page
    assert 'http-equiv="refresh"' not in page
    assert f'<a href="{response.url}">' in page  # without the script, the member asks again
    assert "en cours de vérification" in page


def stored_files():
    try:
        return set(default_storage.listdir(STORAGE_FOLDER)[1])
    except FileNotFoundError:
        return set()


def test_job_checks_the_file_then_saves_it_and_deletes_it(client, member, task_worker):
    earlier = stored_files()
    checked = send(client, dry_run=True)
    task_worker()

    page = client.get(checked.url).content.decode()
    assert "2 achats seraient enregistrés" in page
    assert "data-waiting" not in page and "upload-status.js" not in page
    assert not Purchase.objects.exists()

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    saved = client.post(reverse("purchases:upload_confirm"), {"token": token})
    task_worker()

    assert "2 achats ont été enregistrés" in client.get(saved.url).content.decode()
    assert Purchase.objects.filter(organization=member.organization,
                                   status=Purchase.Status.DRAFT).count() == 2
    assert stored_files() - earlier == set()


def test_a_large_file_with_a_very_large_amount_is_saved_only_once_confirmed(
    client, member, task_worker
):
    content = PURCHASES + "Coop Géante;Construction;1 000 000;2025-03-10;direct;0\r\n"
    data = {"file": SimpleUploadedFile("achats.csv", content.encode("cp1252")), "dry_run": "on"}
    checked = client.post(reverse("purchases:purchase_upload"), data)
    task_worker()
    page = client.get(checked.url).content.decode()
    assert "Coop Géante" in page and 'name="confirm_large_amounts"' in page

    unticked = client.post(reverse("purchases:upload_confirm"), {"token": token_in(page)})
    task_worker()
    page = client.get(unticked.url).content.decode()
    assert "Rien n'a été enregistré" in html.unescape(page)
    assert not Purchase.objects.exists()

    ticked = client.post(reverse("purchases:upload_confirm"),
                         {"token": token_in(page), "confirm_large_amounts": "on"})
    task_worker()
    assert "3 achats ont été enregistrés" in client.get(ticked.url).content.decode()
    assert Purchase.objects.count() == 3


def token_in(page):
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_another_member_cannot_follow_the_job(client, member):
    response = send(client, dry_run=True)
    client.force_login(MembershipFactory().user)

    assert client.get(response.url).status_code == 404


def test_a_forged_job_address_is_not_found(client, member):
    url = reverse("purchases:upload_status", args=["pas-un-jeton"])

    assert client.get(url).status_code == 404
