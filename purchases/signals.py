"""Keep the repertory's summary rows in step with the purchases they count.

Each handler recounts only the slices (year, buyer region, kind of buyer) a change touches.
Bulk writes that skip signals (`QuerySet.update`, `bulk_create`) must call
`PurchaseSummary.objects.rebuild()` themselves, or run `manage.py rebuild_purchase_summary`.
"""

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from enterprises.models import Enterprise

from .models import MemberOrganization, Purchase, PurchaseSummary


def _purchase_slice(purchase):
    """The summary slice a purchase counts in, or None when it is not published."""
    if purchase.status != Purchase.Status.VALIDATED or not purchase.consent_to_publish:
        return None
    organization = MemberOrganization.objects.only("region", "kind").get(
        pk=purchase.organization_id
    )
    return (purchase.award_date.year, organization.region_id, organization.kind)


def _rebuild(slices):
    for year, region, member_kind in {slice_ for slice_ in slices if slice_ is not None}:
        PurchaseSummary.objects.rebuild(year=year, region=region, member_kind=member_kind)


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
    before = None if created else _as_loaded(instance)
    _rebuild([_purchase_slice(instance), before and _purchase_slice(before)])
    remember_published_slice(sender, instance)


@receiver(post_delete, sender=Purchase)
def recount_deleted_purchase(sender, instance, **kwargs):
    before = _as_loaded(instance)
    _rebuild([before and _purchase_slice(before)])


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
        return
    enterprises = pk_set if reverse else [instance.pk]
    purchases = Purchase.objects.published().filter(enterprise__in=enterprises)
    PurchaseSummary.objects.rebuild_for_purchases(purchases)
