import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from enterprises.models import Enterprise
from tests.factories import EnterpriseFactory, region

# 11 + eight digits passing the Luhn check, and one whose check digit is off by one.
VALID_NEQ = "1160000007"
CHECKSUM_FAILING_NEQ = "1160000006"


def new_enterprise(**fields):
    """An unsaved enterprise that passes validation unless a field says otherwise."""
    values = {
        "name": "Coopérative de solidarité Dose Culture",
        "slug": "dose-culture",
        "legal_form": Enterprise.LegalForm.SOLIDARITY_COOPERATIVE,
        "region": region(),
        **fields,
    }
    return Enterprise(**values)


def saved(enterprise):
    """The enterprise as read back once validated and saved, as the admin saves it."""
    enterprise.full_clean()
    enterprise.save()
    return Enterprise.objects.get(pk=enterprise.pk)


def errors_of(enterprise):
    """The validation messages, in English so that assertions read like the code."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            enterprise.full_clean()
        return {
            field: [str(m) for m in messages]
            for field, messages in raised.value.message_dict.items()
        }


@pytest.mark.django_db
class TestNeq:
    def test_a_neq_typed_with_spaces_is_kept_as_its_ten_digits(self):
        enterprise = new_enterprise(neq="1160 0000 07")
        enterprise.full_clean()
        assert enterprise.neq == VALID_NEQ

    @pytest.mark.parametrize("neq", ["116000000", "11600000071", "11600000AB"])
    def test_a_neq_without_exactly_ten_digits_is_refused(self, neq):
        assert "10 digits" in " ".join(errors_of(new_enterprise(neq=neq))["neq"])

    @pytest.mark.parametrize("prefix", ["11", "22", "33", "88"])
    def test_the_four_official_prefixes_are_accepted(self, prefix):
        assert saved(new_enterprise(neq=f"{prefix}60000007")).neq == f"{prefix}60000007"

    def test_another_prefix_is_refused(self):
        assert "11, 22, 33 or 88" in " ".join(errors_of(new_enterprise(neq="4460000007"))["neq"])

    def test_a_checksum_failure_is_flagged_for_review_not_refused(self):
        enterprise = new_enterprise(neq=CHECKSUM_FAILING_NEQ)
        enterprise.full_clean()
        enterprise.save()
        assert enterprise.neq_checksum_failed
        assert not EnterpriseFactory(neq=VALID_NEQ).neq_checksum_failed

    def test_two_enterprises_cannot_share_a_neq(self):
        EnterpriseFactory(neq=VALID_NEQ)
        assert "neq" in str(errors_of(new_enterprise(neq="1160-000-007")))
        with pytest.raises(IntegrityError), transaction.atomic():
            EnterpriseFactory(neq=VALID_NEQ)

    def test_any_number_of_enterprises_may_have_no_neq(self):
        EnterpriseFactory(neq="")
        EnterpriseFactory(neq="")
        new_enterprise(neq="").full_clean()
        assert Enterprise.objects.filter(neq="").count() == 2


@pytest.mark.django_db
class TestContactDetails:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [("h2x1y4", "H2X 1Y4"), ("H2X 1Y4", "H2X 1Y4"), (" g1r-4p5 ", "G1R 4P5")],
    )
    def test_postal_codes_are_normalized(self, typed, stored):
        enterprise = new_enterprise(postal_code=typed)
        enterprise.full_clean()
        assert enterprise.postal_code == stored

    @pytest.mark.parametrize("typed", ["H2X", "12345", "D2X 1Y4", "H2X 1Y44"])
    def test_malformed_postal_codes_are_refused(self, typed):
        assert "postal_code" in errors_of(new_enterprise(postal_code=typed))

    @pytest.mark.parametrize("typed", ["514 555-1234", "(514) 555 1234", "+1 514.555.1234"])
    def test_phone_numbers_are_normalized(self, typed):
        enterprise = new_enterprise(phone=typed)
        enterprise.full_clean()
        assert enterprise.phone == "+1 514-555-1234"

    def test_a_phone_number_too_short_is_refused(self):
        assert "phone" in errors_of(new_enterprise(phone="555-12"))

    @pytest.mark.parametrize("website", ["https://doseculture.com", "http://example.org/a?b=c"])
    def test_web_addresses_are_accepted(self, website):
        assert saved(new_enterprise(website=website)).website == website

    @pytest.mark.parametrize(
        "website", ["javascript:alert(1)", "ftp://example.org/file", "doseculture"]
    )
    def test_a_website_must_be_http_or_https(self, website):
        assert "website" in errors_of(new_enterprise(website=website))


@pytest.mark.django_db
def test_the_folded_name_drops_accents_and_capitals():
    assert EnterpriseFactory(name="Coopérative ÉCOLOGIQUE").name_folded == "cooperative ecologique"


@pytest.mark.django_db
class TestPublication:
    def test_publishing_sets_the_date_once_and_archiving_keeps_it(self):
        draft = EnterpriseFactory(status=Enterprise.Status.DRAFT)
        assert draft.published_at is None

        assert Enterprise.objects.filter(pk=draft.pk).publish() == 1
        draft.refresh_from_db()
        first_published = draft.published_at
        assert draft.status == Enterprise.Status.PUBLISHED and first_published is not None

        Enterprise.objects.filter(pk=draft.pk).archive()
        Enterprise.objects.filter(pk=draft.pk).publish()
        draft.refresh_from_db()
        assert draft.published_at == first_published

    def test_publishing_counts_only_enterprises_that_change(self):
        EnterpriseFactory(status=Enterprise.Status.PUBLISHED)
        EnterpriseFactory(status=Enterprise.Status.DRAFT)
        assert Enterprise.objects.publish() == 1
        assert Enterprise.objects.archive() == 2
