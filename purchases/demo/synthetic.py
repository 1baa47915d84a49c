"""Realistic synthetic enterprises, members and purchases, written in bounded batches.

Row ``i`` of each kind draws from its own ``random.Random`` seeded with (seed, i): the same seed
gives the same rows, and a later run that raises the totals adds rows without changing the first
ones. Each batch of 5 000 rows is one transaction, so memory stays flat whatever the totals.
Enterprises go through ``bulk_create`` (their many-to-many rows need the new ids) after
``refresh_derived_fields()``; purchases, with their contract-size bracket computed here, and
many-to-many rows go through ``enterprises.bulk.insert_rows``, which skips the model instances.
"""

import bisect
import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from enterprises.bulk import insert_rows
from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    Label,
    Municipality,
    Network,
    Region,
    Sector,
)
from enterprises.validators import NEQ_PREFIXES
from purchases.models import (
    ContractSizeBracket,
    ContractSizeThreshold,
    MemberOrganization,
    Purchase,
)

from . import vocabulary as words
from .real import read_demo_file

BATCH_SIZE = 5000
# Purchases go to at most this many enterprises: bounds memory at any directory size.
SUPPLIER_POOL_SIZE = 20_000
HISTORY_DAYS = 5 * 365
# Region code -> the network that publishes that region's directory.
REGIONAL_NETWORKS = {
    "06": "cesim", "03": "pole-capitale-nationale", "16": "economie-sociale-longueuil"
}


def weighted(mapping):
    """(values, cumulative weights) for ``Random.choices``."""
    return list(mapping), list(itertools.accumulate(mapping.values()))


def chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Reference:
    """The reference rows the generator draws from, read once per run."""

    regions: dict  # code -> Region
    municipalities: dict  # (region code, name) -> (id, MRC id)
    categories: dict  # slug -> Category
    sectors: dict  # slug -> id
    labels: dict  # slug -> id
    networks: dict  # slug -> id
    thresholds: list  # ContractSizeThreshold, oldest first
    threshold_dates: list = field(init=False)

    def __post_init__(self):
        self.threshold_dates = [row.effective_from for row in self.thresholds]

    @classmethod
    def load(cls):
        return cls(
            regions={region.code: region for region in Region.objects.all()},
            # Of namesakes in one region, the most populous (read last) wins.
            municipalities={
                (code, name): (pk, mrc_id)
                for code, name, pk, mrc_id in Municipality.objects.order_by(
                    "population", "code"
                ).values_list("region__code", "name", "pk", "mrc_id")
            },
            categories={category.slug: category for category in Category.objects.all()},
            sectors=dict(Sector.objects.values_list("slug", "pk")),
            labels=dict(Label.objects.values_list("slug", "pk")),
            networks=dict(Network.objects.values_list("slug", "pk")),
            thresholds=list(ContractSizeThreshold.objects.order_by("effective_from")),
        )

    def bracket(self, amount, award_date):
        """The bracket ``Purchase.save()`` would store: thresholds in force on the award date."""
        index = max(bisect.bisect_right(self.threshold_dates, award_date) - 1, 0)
        return self.thresholds[index].bracket_for(amount)


def slug_for(name):
    """A slug that keeps the ligatures of French (« cœur » gives « coeur », not « cur »)."""
    return slugify(name.replace("œ", "oe").replace("Œ", "Oe"))[:240].strip("-")


def neq_for(index, rng):
    """A NEQ whose digits 3–10 pass the Luhn check, distinct for every index below 10⁷."""
    body = f"{(index * 7_919_093 + 1_234_567) % 10_000_000:07d}"
    return rng.choice(NEQ_PREFIXES) + body + luhn.calc_check_digit(body)


def postal_code(city, rng):
    letters = words.POSTAL_LETTERS
    return (
        f"{rng.choice(city.postal_prefixes)} "
        f"{rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}"
    )


def phone(city, rng):
    """A number in the 555-01XX range, reserved for fiction, formatted like normalize_phone."""
    return f"+1 {rng.choice(city.area_codes)}-555-01{rng.randrange(100):02d}"


def random_day(rng, days_back, today):
    return today - timedelta(days=rng.randrange(days_back))


@dataclass
class GeneratedEnterprise:
    enterprise: Enterprise
    category_ids: list
    sector_ids: list
    service_area_ids: list
    labels: list  # (label id, awarded on, issuer)
    sources: list  # (network id, external id)


class EnterpriseGenerator:
    def __init__(self, seed, reference, today=None):
        self.seed = seed
        self.ref = reference
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.region_codes, self.region_weights = weighted(words.REGION_WEIGHTS)
        self.forms, self.form_weights = weighted(words.LEGAL_FORM_WEIGHTS)
        self.bands, self.band_weights = weighted(words.EMPLOYEE_BAND_WEIGHTS)
        self.trade_weights = list(itertools.accumulate(trade.weight for trade in words.TRADES))

    def name(self, rng, trade, legal_form, city):
        qualifier = rng.choice(words.QUALIFIERS)
        if legal_form in words.COOP_PREFIXES:
            name = f"{words.COOP_PREFIXES[legal_form]} {trade.coop_noun} {qualifier}"
        elif legal_form == "mutual":
            name = f"Mutuelle {trade.coop_noun} {qualifier}"
        else:
            name = rng.choice(trade.patterns).format(q=qualifier)
        if rng.random() < 0.35:
            name = f"{name} de {city.name}"
        return name

    def description(self, rng, name, trade, legal_form, city, year):
        return (
            f"{name} est {words.LEGAL_FORM_PHRASES[legal_form]} fondée en {year} à {city.name}. "
            f"L'entreprise {trade.activity}. {rng.choice(words.MISSION_PHRASES)}"
        )

    def build(self, index):
        """The index-th synthetic enterprise, unsaved, with its many-to-many rows."""
        rng = random.Random(f"enterprise:{self.seed}:{index}")
        trade = rng.choices(words.TRADES, cum_weights=self.trade_weights)[0]
        legal_form = rng.choices(self.forms, cum_weights=self.form_weights)[0]
        code = rng.choices(self.region_codes, cum_weights=self.region_weights)[0]
        city = rng.choice(words.CITIES[code])
        municipality_id, mrc_id = self.ref.municipalities.get((code, city.name), (None, None))
        name = self.name(rng, trade, legal_form, city)
        year = rng.randint(1975, self.today.year - 1)
        slug = slug_for(name)
        domain = f"{slug[:50].strip('-')}.example"
        status = rng.choices(["published", "draft", "archived"], cum_weights=[90, 96, 100])[0]
        verification = rng.choices(
            ["verified", "unverified", "needs_review"], cum_weights=[60, 90, 100]
        )[0]
        enterprise = Enterprise(
            name=name,
            slug=slug,
            neq=neq_for(index, rng) if rng.random() < 0.4 else "",
            legal_form=legal_form,
            description_fr=self.description(rng, name, trade, legal_form, city, year),
            description_en=f"A social economy enterprise in {city.name}, founded in {year}.",
            region=self.ref.regions[code],
            municipality_id=municipality_id,
            mrc_id=mrc_id,
            address=f"{rng.randint(10, 9999)}, {rng.choice(words.STREETS)}",
            city=city.name,
            postal_code=postal_code(city, rng),
            phone=phone(city, rng),
            email=f"info@{domain}" if rng.random() < 0.8 else "",
            website=f"https://www.{domain}" if rng.random() < 0.7 else "",
            employee_band=rng.choices(self.bands, cum_weights=self.band_weights)[0],
            year_founded=year,
            status=status,
            published_at=(
                self.now - timedelta(days=rng.randrange(HISTORY_DAYS), seconds=index)
                if status != "draft"
                else None
            ),
            verification_status=verification,
            verified_on=(
                random_day(rng, 3 * 365, self.today) if verification == "verified" else None
            ),
        )
        enterprise.refresh_derived_fields()

        how_many = rng.choices([1, 2, 3], cum_weights=[45, 80, 100])[0]
        categories = rng.sample(trade.categories, k=min(how_many, len(trade.categories)))
        sectors = rng.sample(trade.sectors, k=min(len(trade.sectors), rng.choice([1, 1, 2])))
        served = {code}
        for neighbour in words.NEIGHBOURS[code]:
            if rng.random() < 0.25:
                served.add(neighbour)
        labels = [slug for slug in trade.labels if rng.random() < 0.2]
        if rng.random() < 0.05:
            labels.append(rng.choice(["b-corp", "entreprise-economie-sociale-accreditee"]))
        return GeneratedEnterprise(
            enterprise=enterprise,
            category_ids=[self.ref.categories[slug].pk for slug in categories],
            sector_ids=[self.ref.sectors[slug] for slug in sectors],
            service_area_ids=[self.ref.regions[served_code].pk for served_code in sorted(served)],
            labels=[
                (
                    self.ref.labels[slug],
                    random_day(rng, 10 * 365, self.today),
                    words.LABEL_ISSUERS[slug],
                )
                for slug in dict.fromkeys(labels)
            ],
            sources=[
                (self.ref.networks[network], f"synth-{self.seed}-{index}")
                for network in self.networks_for(rng, code, labels)
            ],
        )

    def networks_for(self, rng, code, labels):
        """The networks that would list this enterprise in their directories."""
        networks = []
        if "entreprise-insertion" in labels:
            networks.append("collectif-entreprises-insertion")
        if "entreprise-adaptee" in labels:
            networks.append("cqea")
        if code in REGIONAL_NETWORKS and rng.random() < 0.6:
            networks.append(REGIONAL_NETWORKS[code])
        if rng.random() < 0.3:
            networks.append("akcelos")
        return networks


def deduplicate_slugs(enterprises, indexes):
    """Give a generated enterprise whose slug is taken its index as a suffix."""
    pending = list(zip(enterprises, indexes, strict=True))
    base = {id(enterprise): enterprise.slug for enterprise in enterprises}
    seen, attempt = set(), 0
    while pending:
        attempt += 1
        slugs = [enterprise.slug for enterprise, _ in pending]
        taken = set(Enterprise.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        retry = []
        for enterprise, index in pending:
            if enterprise.slug in taken or enterprise.slug in seen:
                suffix = f"-{index}" if attempt == 1 else f"-{index}-{attempt}"
                enterprise.slug = base[id(enterprise)] + suffix
                retry.append((enterprise, index))
            else:
                seen.add(enterprise.slug)
        pending = retry


def drop_taken_neqs(enterprises):
    """A generated NEQ that another enterprise already holds is left blank."""
    neqs = [enterprise.neq for enterprise in enterprises if enterprise.neq]
    taken = set(Enterprise.objects.filter(neq__in=neqs).values_list("neq", flat=True))
    for enterprise in enterprises:
        if enterprise.neq in taken:
            enterprise.neq = ""
            enterprise.refresh_derived_fields()


# (through model, related column, GeneratedEnterprise attribute)
MANY_TO_MANY = (
    (Enterprise.categories.through, "category_id", "category_ids"),
    (Enterprise.sectors.through, "sector_id", "sector_ids"),
    (Enterprise.service_area.through, "region_id", "service_area_ids"),
)


def insert_enterprises(rows):
    """Insert one batch of generated enterprises and their related rows."""
    enterprises = [row.enterprise for row in rows]
    Enterprise.objects.bulk_create(enterprises, batch_size=BATCH_SIZE)
    for model, column, attribute in MANY_TO_MANY:
        insert_rows(model, ["enterprise_id", column], (
            (row.enterprise.pk, related_id)
            for row in rows
            for related_id in getattr(row, attribute)
        ))
    EnterpriseLabel.objects.bulk_create(
        [
            EnterpriseLabel(
                enterprise_id=row.enterprise.pk, label_id=label_id, awarded_on=awarded_on,
                issuer=issuer,
            )
            for row in rows
            for label_id, awarded_on, issuer in row.labels
        ],
        batch_size=BATCH_SIZE,
    )
    now = timezone.now()
    EnterpriseSource.objects.bulk_create(
        [
            EnterpriseSource(
                enterprise_id=row.enterprise.pk, network_id=network_id, external_id=external_id,
                raw_record={"nom": row.enterprise.name, "synthetique": True},
                first_seen_at=now, last_seen_at=now,
            )
            for row in rows
            for network_id, external_id in row.sources
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def write_enterprises(total, seed, reference, progress):
    """Add synthetic enterprises until the directory holds ``total``; return how many."""
    start = Enterprise.objects.count()
    generator = EnterpriseGenerator(seed, reference)
    for batch_start in range(start, total, BATCH_SIZE):
        indexes = range(batch_start, min(batch_start + BATCH_SIZE, total))
        rows = [generator.build(index) for index in indexes]
        enterprises = [row.enterprise for row in rows]
        deduplicate_slugs(enterprises, indexes)
        drop_taken_neqs(enterprises)
        with transaction.atomic():
            insert_enterprises(rows)
        reset_queries()  # with DEBUG on, the query log would hold the last 9 000 inserts
        progress("enterprises", indexes.stop - start, total - start)
    return max(total - start, 0)


class MemberGenerator:
    def __init__(self, seed, reference, today=None):
        self.seed = seed
        self.ref = reference
        self.today = today or timezone.localdate()
        self.region_codes, self.region_weights = weighted(words.REGION_WEIGHTS)
        self.kind_weights = list(itertools.accumulate(kind[1] for kind in words.MEMBER_KINDS))

    def build(self, index, attempt=0):
        """The index-th synthetic member; another attempt gives another name."""
        rng = random.Random(f"member:{self.seed}:{index}:{attempt}")
        kind, _, patterns = rng.choices(words.MEMBER_KINDS, cum_weights=self.kind_weights)[0]
        code = rng.choices(self.region_codes, cum_weights=self.region_weights)[0]
        city = rng.choice(words.CITIES[code])
        surname, surname2 = rng.sample(words.SURNAMES, 2)
        name = rng.choice(patterns).format(
            city=city.name, q=rng.choice(words.QUALIFIERS), surname=surname, surname2=surname2
        )
        signed = rng.random() < 0.35
        commitments = rng.choice(words.COMMITMENTS) if signed else ("", "")
        return MemberOrganization(
            name=name,
            slug=slug_for(name),
            kind=kind,
            region=self.ref.regions[code],
            website=f"https://www.{slug_for(name)[:50].strip('-')}.example",
            declaration_signed_on=random_day(rng, 8 * 365, self.today) if signed else None,
            declaration_commitments=commitments[0],
            declaration_commitments_en=commitments[1],
            preferential_margin_percent=(
                Decimal(rng.choice([5, 10, 15])) if signed and rng.random() < 0.4 else None
            ),
            yearly_target=(
                Decimal(rng.choice([25, 50, 100, 250, 500, 1000]) * 1000)
                if rng.random() < 0.4
                else None
            ),
        )


def write_members(total, seed, reference, progress):
    """Add synthetic member organizations until there are ``total``; return how many."""
    start = MemberOrganization.objects.count()
    if start >= total:
        return 0
    generator = MemberGenerator(seed, reference)
    taken = set(MemberOrganization.objects.values_list("name", flat=True))
    taken |= set(MemberOrganization.objects.values_list("slug", flat=True))
    members = []
    for index in range(start, total):
        for attempt in itertools.count():
            member = generator.build(index, attempt)
            if member.name not in taken and member.slug not in taken:
                break
        taken |= {member.name, member.slug}
        members.append(member)
    with transaction.atomic():
        MemberOrganization.objects.bulk_create(members, batch_size=BATCH_SIZE)
    progress("members", total - start, total - start)
    return total - start


@dataclass(frozen=True)
class Supplier:
    pk: int
    region_id: int
    category_ids: tuple


def supplier_pool(seed):
    """Published enterprises that receive purchases: all of them, or a sample at large sizes.

    The real enterprises of the demo set are left out: their purchases are the curated ones.
    """
    real = [row["slug"] for row in read_demo_file("enterprises.json")]
    suppliers = Enterprise.objects.published().exclude(slug__in=real)
    ids = list(suppliers.order_by("pk").values_list("pk", flat=True))
    if len(ids) > SUPPLIER_POOL_SIZE:
        ids = sorted(random.Random(f"pool:{seed}").sample(ids, SUPPLIER_POOL_SIZE))
    categories = {}
    regions = {}
    through = Enterprise.categories.through
    for chunk in chunks(ids):
        rows = through.objects.filter(enterprise_id__in=chunk).order_by("pk")
        for enterprise_id, category_id in rows.values_list("enterprise_id", "category_id"):
            categories.setdefault(enterprise_id, []).append(category_id)
        regions.update(Enterprise.objects.filter(pk__in=chunk).values_list("pk", "region_id"))
    return [Supplier(pk, regions[pk], tuple(categories.get(pk, ()))) for pk in ids]


class PurchaseGenerator:
    def __init__(self, seed, reference, members, suppliers, today=None):
        self.seed = seed
        self.ref = reference
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        # Big buyers buy more: a member's weight falls with its rank.
        self.members = members
        self.member_weights = list(
            itertools.accumulate(1 / (rank + 3) ** 0.8 for rank in range(len(members)))
        )
        self.suppliers = suppliers
        self.by_region = {}
        for supplier in suppliers:
            self.by_region.setdefault(supplier.region_id, []).append(supplier)
        self.top_categories = {
            category.pk: (category.parent.slug if category.parent_id else category.slug)
            for category in reference.categories.values()
        }

    def supplier(self, rng, member):
        """Mostly an enterprise of the member's region; a few suppliers get most contracts."""
        candidates = self.by_region.get(member.region_id) if rng.random() < 0.6 else None
        candidates = candidates or self.suppliers
        return candidates[int(len(candidates) * rng.random() ** 2)] if candidates else None

    def description(self, rng, category_id):
        top = self.top_categories.get(category_id, "services-entreprises")
        template = rng.choice(words.PURCHASE_DESCRIPTIONS[top])
        return template.format(event=rng.choice(words.EVENTS))

    def build(self, index):
        """The index-th synthetic purchase, as field values for ``insert_rows``."""
        rng = random.Random(f"purchase:{self.seed}:{index}")
        member = rng.choices(self.members, cum_weights=self.member_weights)[0]
        supplier = self.supplier(rng, member) if rng.random() < 0.98 else None
        category_id = (
            rng.choice(supplier.category_ids) if supplier and supplier.category_ids else None
        )
        # Log-normal around 8 000 $: about a quarter above 25 000 $, one in a hundred above the
        # trade-agreement threshold.
        amount = Decimal(f"{min(rng.lognormvariate(9.0, 1.6), 5_000_000):.2f}")
        award_date = random_day(rng, HISTORY_DAYS, self.today)
        bracket = self.ref.bracket(amount, award_date)
        status = rng.choices(
            ["validated", "submitted", "draft", "rejected"], cum_weights=[85, 91, 96, 100]
        )[0]
        if bracket == ContractSizeBracket.SMALL:
            method = "direct" if rng.random() < 0.9 else "invitation"
        elif bracket == ContractSizeBracket.BELOW_PUBLIC_TENDER:
            method = "invitation" if rng.random() < 0.7 else "direct"
        else:
            method = "public_tender"
        start = award_date + timedelta(days=rng.randrange(45)) if rng.random() < 0.7 else None
        margin = member.preferential_margin_percent if method == "public_tender" else None
        return {
            "organization_id": member.pk,
            "enterprise_id": supplier.pk if supplier else None,
            "supplier_name": "" if supplier else f"Fournisseur {rng.choice(words.QUALIFIERS)}",
            "category_id": category_id,
            "description": self.description(rng, category_id),
            "amount": amount,
            "contract_size_bracket": bracket,
            "award_date": award_date,
            "contract_start": start,
            "contract_end": start + timedelta(days=rng.randrange(730)) if start else None,
            "procurement_method": method,
            "preferential_margin_percent": margin if margin and rng.random() < 0.5 else None,
            "delivery_region_id": member.region_id,
            "consent_to_publish": status == "validated" and rng.random() < 0.85,
            "status": status,
            "rejection_reason": (
                rng.choice(words.REJECTION_REASONS) if status == "rejected" else ""
            ),
            "recorded_by_id": None,
            "created_at": self.now,
            "updated_at": self.now,
            # Drawn last, from the same seed: the same purchase gets the same identifier.
            "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
        }


def write_purchases(total, seed, reference, progress):
    """Add synthetic purchases until there are ``total``; return how many."""
    start = Purchase.objects.count()
    if start >= total:
        return 0
    members = list(MemberOrganization.objects.order_by("pk"))
    if not members:
        return 0
    generator = PurchaseGenerator(seed, reference, members, supplier_pool(seed))
    for batch_start in range(start, total, BATCH_SIZE):
        indexes = range(batch_start, min(batch_start + BATCH_SIZE, total))
        with transaction.atomic():
            purchases = [generator.build(index) for index in indexes]
            insert_rows(Purchase, list(purchases[0]), (row.values() for row in purchases))
        reset_queries()
        progress("purchases", indexes.stop - start, total - start)
    return total - start
