import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import translation

from enterprises.models import Enterprise, Mrc
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    EnterpriseSourceFactory,
    region,
)

pytestmark = pytest.mark.django_db


def english(name, *args):
    """An English admin URL, so that messages read the same before and after translation."""
    with translation.override("en"):
        return reverse(name, args=args)


def changelist_names(client, **query):
    response = client.get(reverse("admin:enterprises_enterprise_changelist"), query)
    assert response.status_code == 200
    return {enterprise.name for enterprise in response.context["cl"].result_list}


class TestSearch:
    def test_typing_without_accents_finds_accented_names(self, staff_client):
        EnterpriseFactory(name="Coopérative de solidarité Dose Culture")
        EnterpriseFactory(name="Boulangerie du quartier")
        assert changelist_names(staff_client, q="cooperative") == {
            "Coopérative de solidarité Dose Culture"
        }
        assert changelist_names(staff_client, q="SOLIDARITÉ dose") == {
            "Coopérative de solidarité Dose Culture"
        }

    @pytest.mark.parametrize("typed", ["1160 0000 07", "1160-000-007", "1160000007"])
    def test_a_neq_is_found_however_it_is_spaced(self, staff_client, typed):
        EnterpriseFactory(name="Groupe TAQ", neq="1160000007")
        EnterpriseFactory(name="Carrefour Environnement Saguenay", neq="2260000003")
        assert changelist_names(staff_client, q=typed) == {"Groupe TAQ"}

    def test_purchase_autocomplete_finds_enterprises_without_accents(self, staff_client):
        EnterpriseFactory(name="Coopérative de travail Écolo")
        response = staff_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "purchases",
                "model_name": "purchase",
                "field_name": "enterprise",
                "term": "ecolo",
            },
        )
        assert [row["text"] for row in response.json()["results"]] == [
            "Coopérative de travail Écolo"
        ]


def test_the_failed_check_digit_filter_lists_only_flagged_enterprises(staff_client):
    EnterpriseFactory(name="Chiffre douteux", neq="1160000006")
    EnterpriseFactory(name="Chiffre juste", neq="1160000007")
    assert changelist_names(staff_client, neq_checksum_failed__exact="1") == {"Chiffre douteux"}


def test_the_label_filter_lists_the_holders(staff_client):
    award = EnterpriseLabelFactory(enterprise__name="Entreprise d'insertion Mirépi")
    EnterpriseFactory(name="Sans label")
    assert changelist_names(staff_client, labels__id__exact=award.label_id) == {
        "Entreprise d'insertion Mirépi"
    }


class TestActions:
    def run_action(self, client, action, enterprises):
        return client.post(
            english("admin:enterprises_enterprise_changelist"),
            {"action": action, ACTION_CHECKBOX_NAME: [e.pk for e in enterprises]},
            follow=True,
        )

    def test_publishing_drafts_says_how_many_were_published(self, staff_client):
        drafts = EnterpriseFactory.create_batch(2, status=Enterprise.Status.DRAFT)
        untouched = EnterpriseFactory(status=Enterprise.Status.DRAFT)

        response = self.run_action(staff_client, "publish", drafts)

        assert "2 enterprises published." in response.content.decode()
        assert set(Enterprise.objects.published()) == set(drafts)
        untouched.refresh_from_db()
        assert untouched.status == Enterprise.Status.DRAFT

    def test_archiving_withdraws_enterprises_from_the_directory(self, staff_client):
        published = EnterpriseFactory.create_batch(3)

        response = self.run_action(staff_client, "archive", published)

        assert "3 enterprises archived." in response.content.decode()
        assert not Enterprise.objects.published().exists()


class TestChangePage:
    def test_sources_are_shown_read_only_with_the_record_as_received(self, staff_client):
        source = EnterpriseSourceFactory(
            raw_record={"Nom": "Coopérative Dose Culture", "Ville": "Longueuil"}
        )
        response = staff_client.get(
            reverse("admin:enterprises_enterprise_change", args=[source.enterprise_id])
        )
        page = response.content.decode()
        assert '<pre class="raw-record">' in page
        assert "&quot;Nom&quot;: &quot;Coopérative Dose Culture&quot;" in page
        assert 'name="sources-0-external_id"' not in page
        assert 'name="label_awards-TOTAL_FORMS"' in page

    def test_staff_can_type_a_neq_and_postal_code_the_way_people_write_them(self, staff_client):
        response = staff_client.post(
            reverse("admin:enterprises_enterprise_add"),
            {
                "name": "Dose Culture",
                "slug": "dose-culture",
                "legal_form": Enterprise.LegalForm.NON_PROFIT,
                "status": Enterprise.Status.DRAFT,
                "verification_status": Enterprise.Verification.UNVERIFIED,
                "region": region("16").pk,
                "neq": "1160 0000 07",
                "postal_code": "j4k2t6",
                "phone": "(450) 555 0199",
                "label_awards-TOTAL_FORMS": "0",
                "label_awards-INITIAL_FORMS": "0",
                "sources-TOTAL_FORMS": "0",
                "sources-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        enterprise = Enterprise.objects.get(slug="dose-culture")
        assert (enterprise.neq, enterprise.postal_code, enterprise.phone) == (
            "1160000007", "J4K 2T6", "+1 450-555-0199"
        )

    def test_a_bad_neq_is_explained_on_the_form(self, staff_client):
        enterprise = EnterpriseFactory()
        response = staff_client.post(
            english("admin:enterprises_enterprise_change", enterprise.pk),
            {"name": enterprise.name, "neq": "4460000007"},
        )
        assert response.status_code == 200
        assert "starts with 11, 22, 33 or 88" in response.content.decode()

    def test_fields_edited_by_hand_are_remembered_so_imports_leave_them_alone(
        self, staff_client
    ):
        enterprise = EnterpriseFactory(name="Dose Culture", slug="dose-culture")
        url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
        form = staff_client.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if name in form.fields and value is not None
        }
        data.update(
            {
                "region": enterprise.region_id,
                "sectors": [],
                "categories": [],
                "service_area": [],
                "city": "Longueuil",
                "label_awards-TOTAL_FORMS": "0",
                "label_awards-INITIAL_FORMS": "0",
                "sources-TOTAL_FORMS": "0",
                "sources-INITIAL_FORMS": "0",
            }
        )
        response = staff_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        enterprise.refresh_from_db()
        assert enterprise.city == "Longueuil"
        assert enterprise.curated_fields == ["city"]


def test_staff_see_the_mrcs_an_enterprise_serves_on_its_admin_form(staff_client):
    enterprise = EnterpriseFactory(region=region("06"))
    served = Mrc.objects.order_by("pk")[:2]
    url = english("admin:enterprises_enterprise_change", enterprise.pk)

    page = staff_client.get(url)
    assert 'name="mrcs_served"' in page.content.decode()

    enterprise.mrcs_served.set(served)
    page = staff_client.get(url)
    form = page.context["adminform"].form
    assert set(form.initial["mrcs_served"]) == set(served)
