"""Demo events for seed_demo: the training course and a matchmaking event with registrants.

Connected to the real demo set's signal, so `purchases` needs no import of this app. Rows are
found by their slug or email, so running seed_demo again adds nothing.
"""

from datetime import time, timedelta

from django.dispatch import receiver
from django.utils import timezone

from enterprises.models import Category, Enterprise
from purchases.demo import real_demo_set_loaded
from purchases.models import MemberOrganization

from .models import Event, Registration

TRAINING = {
    "slug": "acheter-aupres-d-entreprises-d-economie-sociale-ca-rapporte",
    "kind": Event.Kind.TRAINING,
    "title": "Acheter auprès d'entreprises d'économie sociale : ça rapporte",
    "title_en": "Buying from social economy enterprises pays off",
    "description": (
        "Une formation de trois heures pour les acheteurs institutionnels : ce qu'est "
        "l'économie sociale, les retombées sociales et économiques d'un achat, les clauses à "
        "inscrire dans un appel d'offres et les marges préférentielles permises, avec des "
        "exemples de municipalités et d'organismes publics membres du réseau."
    ),
    "description_en": (
        "A three-hour course for institutional buyers: what the social economy is, the social "
        "and economic benefits of a purchase, the clauses to put in a call for tenders and the "
        "preferential margins allowed, with examples from municipalities and public bodies "
        "of the network."
    ),
    "place": "Maison du développement durable, 50, rue Sainte-Catherine Ouest, Montréal",
    "online_url": "",
    "capacity": 40,
    "meeting_minutes": 20,
}
MATCHMAKING = {
    "slug": "maillage-acheteurs-et-entreprises-d-economie-sociale",
    "kind": Event.Kind.MATCHMAKING,
    "title": "Maillage : acheteurs et entreprises d'économie sociale",
    "title_en": "Matchmaking: buyers and social economy enterprises",
    "description": (
        "Des rencontres de 20 minutes entre acheteurs et entreprises d'économie sociale, "
        "proposées selon ce que chacun achète ou offre et sa région."
    ),
    "description_en": (
        "Twenty-minute meetings between buyers and social economy enterprises, proposed from "
        "what each one buys or offers and their region."
    ),
    "place": "Palais des congrès de Montréal, 1001, place Jean-Paul-Riopelle, Montréal",
    "online_url": "",
    "capacity": 60,
    "meeting_minutes": 20,
}
# (member slug, contact name, categories bought) of the demo buyers at the matchmaking.
BUYERS = [
    ("ville-de-longueuil", "Julie Tremblay", ["alimentation", "evenements-culture"]),
    ("mouvement-desjardins", "Marc Gagnon",
     ["recuperation-informatique", "emballage-conditionnement"]),
    ("hydro-quebec", "Sophie Roy", ["traiteur", "recyclage"]),
    ("ville-de-montreal", "Karim Benali", ["boites-a-lunch", "paniers-fruits-legumes"]),
]
# The real demo enterprises that come to the matchmaking, with what they offer.
ENTERPRISES = [
    "dose-culture", "carrefour-environnement-saguenay", "groupe-taq", "resto-plateau",
    "la-cantine-pour-tous", "robin-des-bois", "santropol-roulant",
]


def at(days_ahead, hour, hours_long):
    """An aware start and end, ``days_ahead`` from today at ``hour`` in Montreal."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    start = timezone.make_aware(timezone.datetime.combine(day, time(hour)))
    return start, start + timedelta(hours=hours_long)


def create_event(fields, days_ahead, hour, hours_long):
    starts_at, ends_at = at(days_ahead, hour, hours_long)
    event, _created = Event.objects.get_or_create(
        slug=fields["slug"],
        defaults={**fields, "starts_at": starts_at, "ends_at": ends_at, "is_published": True},
    )
    return event


def register(event, email, **fields):
    categories = fields.pop("categories")
    registration, created = Registration.objects.get_or_create(
        event=event, email=email, defaults=fields
    )
    if created:
        registration.categories.set(categories)


@receiver(real_demo_set_loaded)
def add_demo_events(sender, **kwargs):
    create_event(TRAINING, days_ahead=21, hour=9, hours_long=3)
    matchmaking = create_event(MATCHMAKING, days_ahead=35, hour=13, hours_long=3)
    categories = {category.slug: category for category in Category.objects.all()}
    members = MemberOrganization.objects.in_bulk(
        [slug for slug, _name, _categories in BUYERS], field_name="slug"
    )
    for slug, name, bought in BUYERS:
        member = members[slug]
        register(
            matchmaking, f"{slug}@example.org", name=name, organization_name=member.name,
            organization=member, role=Registration.Role.BUYER, region=member.region,
            categories=[categories[category] for category in bought],
        )
    enterprises = (
        Enterprise.objects.filter(slug__in=ENTERPRISES)
        .select_related("region")
        .prefetch_related("categories")
    )
    for enterprise in enterprises:
        register(
            matchmaking, f"{enterprise.slug}@example.org", name=enterprise.name,
            organization_name=enterprise.name, enterprise=enterprise,
            role=Registration.Role.ENTERPRISE, region=enterprise.region,
            categories=list(enterprise.categories.all()),
        )
