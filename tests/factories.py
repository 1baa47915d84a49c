"""Factories for the whole suite; reference rows come from the migrated database."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Label,
    Municipality,
    Network,
    Region,
    Sector,
)
from events.models import Event, Meeting, Registration
from programs.models import Page, ProcurementSheet, VideoCapsule
from purchases.models import Invitation, MemberOrganization, Membership, OutgoingMail, Purchase


def region(code="06"):
    return Region.objects.get(code=code)


def municipality(name):
    """The official municipality of that name (the most populous of namesakes)."""
    return Municipality.objects.filter(name=name).order_by("-population").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Coopérative numéro {n}")
    slug = factory.Sequence(lambda n: f"cooperative-numero-{n}")
    legal_form = Enterprise.LegalForm.COOPERATIVE
    region = factory.LazyFunction(region)
    status = Enterprise.Status.PUBLISHED
    description_fr = "Une entreprise d'économie sociale."

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def service_area(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_area.set(extracted)


class MemberOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberOrganization

    name = factory.Sequence(lambda n: f"Ville numéro {n}")
    slug = factory.Sequence(lambda n: f"ville-numero-{n}")
    kind = MemberOrganization.Kind.MUNICIPALITY
    region = factory.LazyFunction(region)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(MemberOrganizationFactory)
    role = Membership.Role.CONTRIBUTOR


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation, sent a moment ago by one of the organization's managers."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(MemberOrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.CONTRIBUTOR
    language = "fr"
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + Invitation.VALID_FOR)


class OutgoingMailFactory(factory.django.DjangoModelFactory):
    """A confirmation that the mail server refused to the end."""

    class Meta:
        model = OutgoingMail

    recipient = factory.Sequence(lambda n: f"personne{n}@example.org")
    from_email = "repertoire@localhost"
    subject = "Inscription confirmée : Rendez-vous de l'achat social"
    body = "Bonjour,\n\nVotre inscription est confirmée."
    status = OutgoingMail.Status.FAILED
    attempts = 6
    last_error = "ConnectionRefusedError: [Errno 111] Connection refused"


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    organization = factory.SubFactory(MemberOrganizationFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    category = factory.LazyFunction(lambda: Category.objects.get(slug="traiteur"))
    description = "Service de traiteur pour une réunion"
    amount = Decimal("12000.00")
    award_date = factory.LazyFunction(timezone.localdate)
    procurement_method = Purchase.ProcurementMethod.DIRECT
    status = Purchase.Status.VALIDATED
    consent_to_publish = True



class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    name = factory.Sequence(lambda n: f"Secteur numéro {n}")
    slug = factory.Sequence(lambda n: f"secteur-numero-{n}")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Réseau numéro {n}")
    slug = factory.Sequence(lambda n: f"reseau-numero-{n}")
    website = factory.Sequence(lambda n: f"https://reseau{n}.example.org")


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    name = factory.Sequence(lambda n: f"Label numéro {n}")
    slug = factory.Sequence(lambda n: f"label-numero-{n}")


class EnterpriseLabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseLabel

    enterprise = factory.SubFactory(EnterpriseFactory)
    label = factory.SubFactory(LabelFactory)
    issuer = "Collectif des entreprises d'insertion du Québec"


class EnterpriseSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseSource

    enterprise = factory.SubFactory(EnterpriseFactory)
    network = factory.SubFactory(NetworkFactory)
    external_id = factory.Sequence(lambda n: f"REC-{n}")
    raw_record = factory.LazyAttribute(
        lambda source: {"Nom": source.enterprise.name, "Ville": "Montréal"}
    )


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Groupe {n}")



class ImportProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportProfile

    network = factory.SubFactory(NetworkFactory)
    record_id_column = "Identifiant"
    column_map = factory.LazyFunction(lambda: {"Raison sociale": "name"})


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    network = factory.LazyFunction(lambda: Network.objects.get(slug="cesim"))
    file_name = factory.Sequence(lambda n: f"repertoire-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    dry_run = False
    state = ImportRun.State.DONE
    total_rows = 1
    updated_count = 1


class ImportReviewItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportReviewItem

    run = factory.SubFactory(ImportRunFactory)
    kind = ImportReviewItem.Kind.CURATED_FIELD
    enterprise = factory.SubFactory(EnterpriseFactory)
    external_id = factory.Sequence(lambda n: f"REC-{n}")
    field = "phone"
    current_value = "+1 418-555-1111"
    incoming_value = "+1 418-555-2222"


class EventFactory(factory.django.DjangoModelFactory):
    """A published training course a week from now, two hours long."""

    class Meta:
        model = Event

    kind = Event.Kind.TRAINING
    title = factory.Sequence(lambda n: f"Formation numéro {n}")
    title_en = factory.Sequence(lambda n: f"Training number {n}")
    slug = factory.Sequence(lambda n: f"formation-numero-{n}")
    description = "Acheter auprès d'entreprises d'économie sociale."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=2))
    place = "Maison du développement durable, Montréal"
    capacity = 10
    is_published = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A visitor's confirmed registration, saved directly (no capacity check)."""

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Personne {n}")
    organization_name = factory.Sequence(lambda n: f"Organisation {n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    role = Registration.Role.BUYER
    status = Registration.Status.CONFIRMED

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class ProcurementSheetFactory(factory.django.DjangoModelFactory):
    """A published sheet for catering (« traiteur »), in French and in English."""

    class Meta:
        model = ProcurementSheet

    category = factory.LazyFunction(lambda: Category.objects.get(slug="traiteur"))
    slug = factory.Sequence(lambda n: f"fiche-numero-{n}")
    title = factory.Sequence(lambda n: f"Fiche numéro {n}")
    title_en = factory.Sequence(lambda n: f"Sheet number {n}")
    market = "Le marché en bref."
    market_en = "The market in brief."
    requirements = "- Vaisselle réutilisable."
    requirements_en = "- Reusable tableware."
    sample_clauses = "Le prestataire reprend la vaisselle."
    benefits = "Des emplois pour des personnes en insertion."
    benefits_en = "Jobs for people in work integration."
    is_published = True


class VideoCapsuleFactory(factory.django.DjangoModelFactory):
    """A published YouTube capsule of a member and the enterprises it bought from."""

    class Meta:
        model = VideoCapsule
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"capsule-numero-{n}")
    title = factory.Sequence(lambda n: f"Capsule numéro {n}")
    title_en = factory.Sequence(lambda n: f"Capsule number {n}")
    summary = "Un partenariat d'achat."
    summary_en = "A purchasing partnership."
    member = factory.SubFactory(MemberOrganizationFactory)
    provider = VideoCapsule.Provider.YOUTUBE
    video_id = factory.Sequence(lambda n: f"vidTest{n:04d}")
    transcript = "Narration : un partenariat."
    transcript_en = "Narrator: a partnership."
    is_published = True

    @factory.post_generation
    def enterprises(self, create, extracted, **kwargs):
        if create and extracted:
            self.enterprises.set(extracted)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    slug = factory.Sequence(lambda n: f"page-numero-{n}")
    title = factory.Sequence(lambda n: f"Page numéro {n}")
    title_en = factory.Sequence(lambda n: f"Page number {n}")
    body = "Premier paragraphe.\n\nSecond paragraphe."
    body_en = "First paragraph.\n\nSecond paragraph."
    is_published = True


# Enterprise accounts (enterprise_accounts): the people who keep an enterprise's profile, their
# claims, proposed changes and files, and buyers' reports.
from enterprise_accounts.models import (  # noqa: E402
    ChangeRequest,
    Claim,
    EnterpriseAccount,
    EnterpriseFile,
    EnterpriseMembership,
    ErrorReport,
)


class EnterpriseMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseMembership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = "owner"


class EnterpriseAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseAccount

    enterprise = factory.SubFactory(EnterpriseFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim from an address outside the enterprise's domain: staff decide."""

    class Meta:
        model = Claim

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = "Léa Tremblay"
    role_title = "Directrice générale"
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    language = "fr"
    state = Claim.State.AWAITING_STAFF


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    enterprise = factory.SubFactory(EnterpriseFactory)
    submitted_by = factory.SubFactory(UserFactory)
    changes = factory.LazyFunction(lambda: {"description_fr": "Une nouvelle description."})
    previous = factory.LazyFunction(lambda: {"description_fr": "Une description."})


class EnterpriseFileFactory(factory.django.DjangoModelFactory):
    """A live PDF document (its bytes are not checked here: the upload form checks them)."""

    class Meta:
        model = EnterpriseFile

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = EnterpriseFile.Kind.DOCUMENT
    state = EnterpriseFile.State.APPROVED
    title = "Attestation"
    file = factory.django.FileField(filename="attestation.pdf", data=b"%PDF-1.4\n%%EOF\n")
    content_type = "application/pdf"
    size = 15


class ErrorReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErrorReport

    enterprise = factory.SubFactory(EnterpriseFactory)
    message = "Le numéro de téléphone ne répond plus."


# Shortlists and requests for quotes (procurement).
from procurement.models import (  # noqa: E402
    BuyerProfile,
    EnterprisePreference,
    FollowUp,
    QuoteInvitation,
    QuoteRequest,
    Shortlist,
    ShortlistEntry,
)


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    """A confirmed self-service buyer account."""

    class Meta:
        model = BuyerProfile

    user = factory.SubFactory(UserFactory)
    organization_name = factory.Sequence(lambda n: f"Entreprise acheteuse {n}")
    kind = BuyerProfile.Kind.PRIVATE_COMPANY
    confirmed_at = factory.LazyFunction(timezone.now)


class ShortlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shortlist

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Traiteurs pour la fête de quartier {n}")


class ShortlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShortlistEntry

    shortlist = factory.SubFactory(ShortlistFactory)
    enterprise = factory.SubFactory(
        EnterpriseFactory, email=factory.Sequence(lambda n: f"coop{n}@example.org")
    )


class QuoteRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteRequest

    buyer = factory.SubFactory(UserFactory)
    title = "Repas pour 80 personnes"
    description = "Un buffet chaud pour la fête de quartier."
    category = factory.LazyFunction(lambda: Category.objects.get(slug="traiteur"))
    municipality = factory.LazyFunction(lambda: municipality("Longueuil"))
    answer_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class QuoteInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteInvitation

    request = factory.SubFactory(QuoteRequestFactory)
    enterprise = factory.SubFactory(
        EnterpriseFactory, email=factory.Sequence(lambda n: f"devis{n}@example.org")
    )


class EnterprisePreferenceFactory(factory.django.DjangoModelFactory):
    """An enterprise that paused requests for quotes for a month."""

    class Meta:
        model = EnterprisePreference

    enterprise = factory.SubFactory(EnterpriseFactory)
    paused_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    invitation = factory.SubFactory(QuoteInvitationFactory)
    author = FollowUp.Author.BUYER
    body = "Pouvez-vous livrer le samedi matin?"


# Matchmaking meetings (i18n: the translation walk opens every admin page, so each model needs
# a row).


class MeetingFactory(factory.django.DjangoModelFactory):
    """A buyer and an enterprise registered to the same event, meeting at its start."""

    class Meta:
        model = Meeting

    event = factory.SubFactory(EventFactory)
    buyer = factory.SubFactory(
        RegistrationFactory, event=factory.SelfAttribute("..event"), role=Registration.Role.BUYER
    )
    enterprise = factory.SubFactory(
        RegistrationFactory, event=factory.SelfAttribute("..event"),
        role=Registration.Role.ENTERPRISE,
    )
    starts_at = factory.SelfAttribute("event.starts_at")
