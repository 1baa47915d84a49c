"""Staff write sheets, capsules and pages in the admin."""

import pytest
from django.urls import reverse

from enterprises.models import Category
from programs.models import Page, ProcurementSheet, VideoCapsule
from tests.factories import EnterpriseFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def capsule_form(**changes):
    member = MemberOrganizationFactory()
    enterprise = EnterpriseFactory()
    return {
        "title": "Une capsule", "title_en": "", "slug": "une-capsule", "is_published": "on",
        "member": member.pk, "enterprises": [enterprise.pk],
        "summary": "Un partenariat.", "summary_en": "",
        "provider": "youtube", "video_id": "https://www.youtube.com/watch?v=ecparDemo01",
        "transcript": "Narration.", "transcript_en": "",
        **changes,
    }


def test_staff_paste_a_video_address_and_the_id_is_kept(staff_client):
    response = staff_client.post(reverse("admin:programs_videocapsule_add"), capsule_form())

    assert response.status_code == 302
    assert VideoCapsule.objects.get().video_id == "ecparDemo01"


def test_staff_get_a_message_for_an_address_of_another_host(staff_client):
    response = staff_client.post(
        reverse("admin:programs_videocapsule_add"),
        capsule_form(video_id="https://videos.example.org/ecparDemo01"),
    )

    assert response.status_code == 200
    assert "video_id" in response.context["adminform"].form.errors
    assert not VideoCapsule.objects.exists()


def test_staff_write_a_sheet_for_a_category_only_once(staff_client):
    form = {
        "category": Category.objects.get(slug="traiteur").pk, "title": "Traiteur",
        "title_en": "Catering", "slug": "traiteur", "market": "Le marché.", "market_en": "",
        "requirements": "- Exiger.", "requirements_en": "", "sample_clauses": "",
        "sample_clauses_en": "", "benefits": "Des emplois.", "benefits_en": "",
    }
    url = reverse("admin:programs_procurementsheet_add")

    first = staff_client.post(url, form)
    second = staff_client.post(url, {**form, "slug": "traiteur-bis"})

    assert first.status_code == 302 and second.status_code == 200
    assert ProcurementSheet.objects.count() == 1


def test_admin_lists_filter_the_pages_missing_their_english_version(staff_client):
    Page.objects.create(slug="brouillon", title="Brouillon", body="Texte.")

    response = staff_client.get(
        reverse("admin:programs_page_changelist"), {"english": "missing"}
    )

    assert [page.slug for page in response.context["cl"].result_list] == ["brouillon"]
