"""Demo data: the real demo set, then synthetic rows up to the totals asked for.

``seed_demo`` is a thin face over :func:`seed`; tests call the pieces directly.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from enterprises.models import Enterprise
from enterprises.search import deferred_index
from purchases.models import MemberOrganization, Membership, Purchase, PurchaseSummary

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
    reference = Reference.load()
    generated = 0
    if Enterprise.objects.count() < enterprises:
        # The search index is brought up to date once, after the load, not row by row.
        with deferred_index():
            generated = write_enterprises(enterprises, seed, reference, progress)
    report.generated = {
        "enterprises": generated,
        "members": write_members(members, seed, reference, progress),
        "purchases": write_purchases(purchases, seed, reference, progress),
    }
    if report.generated["purchases"]:
        # Bulk inserts send no signals, so the repertory's summary is recounted once here.
        PurchaseSummary.objects.rebuild()
    return report


def reset():
    """Delete every purchase, member organization and enterprise; reference lists stay."""
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement: the ORM would load every purchase to send its post_delete signal.
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Purchase._meta.db_table)}")
        PurchaseSummary.objects.all().delete()
        MemberOrganization.objects.all().delete()
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    with deferred_index():
        for chunk in chunks(ids, BATCH_SIZE):
            with transaction.atomic():
                Enterprise.objects.filter(pk__in=chunk).delete()


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
