"""Demo data: the real demo set, then synthetic rows up to the totals asked for.

``seed_demo`` is a thin face over :func:`seed`; tests call the pieces directly.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.dispatch import Signal
from django.test.utils import override_settings

from enterprises.models import DirectoryRevision, Enterprise
from enterprises.search import deferred_index
from purchases.models import (
    MemberOrganization,
    Membership,
    OrganizationPurchaseSummary,
    Purchase,
    PurchaseSummary,
)
from purchases.summaries import rebuild_all

from .real import load_real_demo_set
from .synthetic import (
    BATCH_SIZE,
    Reference,
    chunks,
    write_enterprises,
    write_members,
    write_purchases,
)

DEMO_PASSWORD = "demo-demo-demo"
# Sent once the real set is in, so that other apps (the programs) add their demo rows to it.
real_demo_set_loaded = Signal()
# (email, organization slug, role) of the portal's demo logins.
DEMO_LOGINS = [
    ("membre@example.org", "ville-de-longueuil", Membership.Role.CONTRIBUTOR),
    ("gestionnaire@example.org", "mouvement-desjardins", Membership.Role.MANAGER),
]


@dataclass
class SeedReport:
    real: dict
    generated: dict = field(default_factory=dict)


def seed(*, enterprises, members, purchases, seed=0, progress=None):
    """Load the real set, then generate enterprises, members and purchases up to the totals."""
    progress = progress or (lambda kind, done, total: None)
    report = SeedReport(real=load_real_demo_set())
    real_demo_set_loaded.send(sender=seed)
    reference = Reference.load()
    generated = 0
    if Enterprise.objects.count() < enterprises:
        # The search index is brought up to date once, after the load, not row by row.
        touched = set()
        with deferred_index(touched=touched):
            generated = write_enterprises(enterprises, seed, reference, progress)
            touched.update(Enterprise.objects.values_list("pk", flat=True))
        DirectoryRevision.bump()  # bulk inserts send no signals
    report.generated = {
        "enterprises": generated,
        "members": write_members(members, seed, reference, progress),
        "purchases": write_purchases(purchases, seed, reference, progress),
    }
    if report.generated["purchases"]:
        # Bulk inserts send no signals, so the summaries are recounted once here.
        rebuild_all()
    return report


def reset():
    """Delete every purchase, member organization and enterprise; reference lists stay."""
    # A clean slate: their history goes too, instead of a deletion record per demo row.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        with transaction.atomic(), connection.cursor() as cursor:
            # One statement: the ORM would load every purchase to send its post_delete signal.
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(Purchase._meta.db_table)}")
            PurchaseSummary.objects.all().delete()
            OrganizationPurchaseSummary.objects.all().delete()
            MemberOrganization.objects.all().delete()
        ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        with deferred_index():
            for chunk in chunks(ids, BATCH_SIZE):
                with transaction.atomic():
                    Enterprise.objects.filter(pk__in=chunk).delete()
    for model in (Purchase, Membership, MemberOrganization, Enterprise):
        model.history.all().delete()


def create_demo_logins():
    """The portal's two demo accounts, with a password everyone knows: development only."""
    user_model = get_user_model()
    logins = []
    for email, organization_slug, role in DEMO_LOGINS:
        organization = MemberOrganization.objects.get(slug=organization_slug)
        user, created = user_model.objects.get_or_create(
            username=email, defaults={"email": email}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        logins.append((email, organization, role))
    return logins
