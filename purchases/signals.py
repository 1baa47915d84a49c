"""Keep the summary rows in step with the purchases they count.

Each handler recounts only the slices a change touches: (year, buyer region, kind of buyer) for
the repertory's `PurchaseSummary`, (organization, year) for the dashboards'
`OrganizationPurchaseSummary`. Bulk writes that skip signals (`QuerySet.update`, `bulk_create`)
must call both `rebuild()` themselves, or run `manage.py rebuild_purchase_summary`.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.functions import ExtractYear
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from enterprises.models import Enterprise, Sector

from .models import MemberOrganization, OrganizationPurchaseSummary, Purchase, PurchaseSummary


def _purchase_slice(purchase):
    """The summary slice a purchase counts in, or None when it is not published."""
    if purchase.status != Purchase.Status.VALIDATED or not purchase.consent_to_publish:
        return None
    organization = MemberOrganization.objects.only("region", "kind").get(
        pk=purchase.organization_id
    )
    return (purchase.award_date.year, organization.region_id, organization.kind)


class _Pending:
    """The slices a change touched: the repertory's, and the dashboards' with whether whole."""

    def __init__(self):
        self.published = set()
        self.organizations = defaultdict(bool)

    def add(self, purchases):
        """Every purchase counts in its organization's status rows; only a validated one in
        the rest of the dashboard's slice, which is recounted whole only then."""
        for purchase in purchases:
            self.published.add(_purchase_slice(purchase))
            self.organizations[purchase.organization_id, purchase.award_date.year] |= (
                purchase.status == Purchase.Status.VALIDATED
            )

    def recount(self):
        for year, region, member_kind in self.published - {None}:
            PurchaseSummary.objects.rebuild(year=year, region=region, member_kind=member_kind)
        for (organization, year), whole in self.organizations.items():
            OrganizationPurchaseSummary.objects.rebuild(
                organization=organization, year=year, statuses_only=not whole
            )


_deferred = ContextVar("deferred_recount", default=None)


@contextmanager
def recount_once():
    """Within the block, recounts wait for its end and run once per slice: for bulk entry,
    where a thousand drafts of one organization would otherwise recount its slice each."""
    if _deferred.get() is not None:
        yield
        return
    pending = _Pending()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
        pending.recount()


def _rebuild(purchases):
    """Recount the slices these purchases (as they are now, and as they were) count in."""
    purchases = [purchase for purchase in purchases if purchase is not None]
    pending = _deferred.get()
    if pending is not None:
        pending.add(purchases)
        return
    pending = _Pending()
    pending.add(purchases)
    pending.recount()


PURCHASE_SLICE_FIELDS = ("status", "consent_to_publish", "award_date", "organization_id")
ORGANIZATION_SLICE_FIELDS = ("region_id", "kind")


def _loaded_values(instance, fields):
    """The fields' values as loaded, or None when one was deferred (reading it would query)."""
    if any(name not in instance.__dict__ for name in fields):
        return None
    return tuple(instance.__dict__[name] for name in fields)


@receiver(post_init, sender=Purchase)
def remember_published_slice(sender, instance, **kwargs):
    """Note what the purchase looked like when loaded, to recount the slice it leaves."""
    instance._loaded_state = _loaded_values(instance, PURCHASE_SLICE_FIELDS)


def _as_loaded(instance):
    """The purchase as it was in the database, with only its slice fields, or None if new."""
    if instance._loaded_state is None:
        return None
    return Purchase(**dict(zip(PURCHASE_SLICE_FIELDS, instance._loaded_state, strict=True)))


@receiver(pre_delete, sender=Purchase)
@receiver(pre_save, sender=Purchase)
def fetch_deferred_slice(sender, instance, raw=False, **kwargs):
    """A purchase loaded with its slice deferred reads it from the database before it changes."""
    if instance._loaded_state is None and not raw and not instance._state.adding:
        instance._loaded_state = (
            Purchase.objects.filter(pk=instance.pk).values_list(*PURCHASE_SLICE_FIELDS).first()
        )


@receiver(post_save, sender=Purchase)
def recount_saved_purchase(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata restores the summary rows as they were dumped
        return
    _rebuild([instance, None if created else _as_loaded(instance)])
    remember_published_slice(sender, instance)


@receiver(post_delete, sender=Purchase)
def recount_deleted_purchase(sender, instance, **kwargs):
    _rebuild([_as_loaded(instance)])


@receiver(post_init, sender=MemberOrganization)
def remember_organization_slice(sender, instance, **kwargs):
    instance._loaded_slice = _loaded_values(instance, ORGANIZATION_SLICE_FIELDS)


@receiver(pre_save, sender=MemberOrganization)
def fetch_deferred_organization_slice(sender, instance, raw=False, **kwargs):
    """An organization loaded with its region or kind deferred reads them before they change."""
    if instance._loaded_slice is None and not raw and not instance._state.adding:
        instance._loaded_slice = (
            MemberOrganization.objects.filter(pk=instance.pk)
            .values_list(*ORGANIZATION_SLICE_FIELDS).first()
        )


@receiver(post_save, sender=MemberOrganization)
def recount_moved_organization(sender, instance, created, raw=False, **kwargs):
    """A buyer that changes region or kind moves its purchases between slices."""
    if raw:
        return
    before = instance._loaded_slice
    if not created and before is not None and before != (instance.region_id, instance.kind):
        PurchaseSummary.objects.rebuild(region=before[0], member_kind=before[1])
        PurchaseSummary.objects.rebuild(region=instance.region_id, member_kind=instance.kind)
    remember_organization_slice(sender, instance)


@receiver(m2m_changed, sender=Enterprise.sectors.through)
def recount_enterprise_sectors(sender, instance, action, reverse, pk_set, **kwargs):
    """An enterprise's sectors decide under which sectors its purchases count."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse and not pk_set:
        PurchaseSummary.objects.rebuild()
        OrganizationPurchaseSummary.objects.rebuild()
        return
    enterprises = pk_set if reverse else [instance.pk]
    purchases = Purchase.objects.validated().filter(enterprise__in=enterprises)
    PurchaseSummary.objects.rebuild_for_purchases(purchases.published())
    OrganizationPurchaseSummary.objects.rebuild_for_purchases(purchases)


@receiver(pre_delete, sender=Sector)
def remember_sector_slices(sender, instance, **kwargs):
    """Deleting a sector drops its enterprises' links without an m2m signal: note the dashboard
    slices whose purchases may fall back to "no sector", to recount them once it is gone.

    The repertory's summary needs nothing: its rows for the sector go with it (cascade), and
    its rows without a sector count every purchase, whatever its sectors.
    """
    instance._organization_slices = list(
        Purchase.objects.validated().filter(enterprise__sectors=instance).order_by()
        .values_list("organization", ExtractYear("award_date")).distinct()
    )


@receiver(post_delete, sender=Sector)
def recount_deleted_sector(sender, instance, **kwargs):
    for organization, year in getattr(instance, "_organization_slices", []):
        OrganizationPurchaseSummary.objects.rebuild(organization=organization, year=year)
