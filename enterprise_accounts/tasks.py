"""The yearly reminder that asks an enterprise's people to confirm or update its profile."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from enterprises.models import Enterprise

from .mail import send_to
from .models import EnterpriseAccount, EnterpriseMembership

# A profile its enterprise has not confirmed for this long is listed to staff in the queue.
STALE_AFTER = timedelta(days=2 * 365)


def reminder_interval():
    return timedelta(days=settings.PROFILE_REMINDER_DAYS)


def due_for_reminder(now=None):
    """Enterprises with people, not confirmed and not reminded within the interval."""
    now = now or timezone.now()
    interval = reminder_interval()
    return (
        Enterprise.objects.filter(account_memberships__isnull=False)
        .filter(Q(confirmed_on__isnull=True) | Q(confirmed_on__lte=(now - interval).date()))
        .exclude(account__last_reminded_at__gt=now - interval)
        .distinct()
    )


def stale_profiles():
    """Published profiles whose enterprise last confirmed them more than two years ago, or
    never did though one of its people joined more than two years ago."""
    claimed_long_ago = EnterpriseMembership.objects.filter(
        enterprise=OuterRef("pk"), created_at__lt=timezone.now() - STALE_AFTER,
    )
    return Enterprise.objects.published().filter(
        Q(confirmed_on__lt=timezone.localdate() - STALE_AFTER)
        | Q(confirmed_on__isnull=True) & Exists(claimed_long_ago)
    )


@task()
def send_profile_reminders(site=None):
    """One email to each person of each enterprise due, in that person's language; returns
    how many were queued. Running it twice sends nothing more: each enterprise is marked
    reminded, under a conditional update, before its emails are queued."""
    now = timezone.now()
    site = site or settings.SITE_URL
    sent = 0
    due = due_for_reminder(now).prefetch_related("account_memberships__user")
    for enterprise in due:
        account, _created = EnterpriseAccount.objects.get_or_create(enterprise=enterprise)
        claimed = EnterpriseAccount.objects.filter(pk=account.pk).filter(
            Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - reminder_interval())
        ).update(last_reminded_at=now)
        if not claimed:
            continue
        for membership in enterprise.account_memberships.all():
            if membership.user.email and membership.user.is_active:
                send_to(membership.user.email, membership.language, "reminder",
                        {"enterprise": enterprise, "site": site})
                sent += 1
    return sent
