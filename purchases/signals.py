"""Keep the repertory's summary rows in step with the purchases they count.

Each handler recounts only the slices (year, buyer region, kind of buyer) a change touches.
Bulk writes that skip signals (`QuerySet.update`, `bulk_create`) must call
`PurchaseSummary.objects.rebuild()` themselves, or run `manage.py rebuild_purchase_summary`.
"""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
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


@receiver(post_init, sender=Purchase)
def remember_published_slice(sender, instance, **kwargs):
    """Note what the purchase looked like when loaded, to recount the slice it leaves."""
    instance._loaded_state = (
        instance.status, instance.consent_to_publish, instance.award_date, instance.organization_id
    )


@receiver(post_save, sender=Purchase)
def recount_saved_purchase(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata restores the summary rows as they were dumped
        return
    status, consent, award_date, organization_id = instance._loaded_state
    was_published = status == Purchase.Status.VALIDATED and consent
    before = None
    if was_published and instance.pk is not None:
        before = Purchase(
            status=status, consent_to_publish=consent, award_date=award_date,
            organization_id=organization_id,
        )
    _rebuild([_purchase_slice(instance), before and _purchase_slice(before)])
    remember_published_slice(sender, instance)


@receiver(post_delete, sender=Purchase)
def recount_deleted_purchase(sender, instance, **kwargs):
    _rebuild([_purchase_slice(instance)])


@receiver(post_init, sender=MemberOrganization)
def remember_organization_slice(sender, instance, **kwargs):
    instance._loaded_slice = (instance.region_id, instance.kind)


@receiver(post_save, sender=MemberOrganization)
def recount_moved_organization(sender, instance, created, raw=False, **kwargs):
    """A buyer that changes region or kind moves its purchases between slices."""
    if raw:
        return
    before = instance._loaded_slice
    if not created and before != (instance.region_id, instance.kind):
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
