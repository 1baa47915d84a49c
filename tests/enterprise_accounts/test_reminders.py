"""The yearly reminder: started by a cron-able command, sent by the task worker, in each
recipient's language, once per interval however often the command runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enterprise_accounts.models import EnterpriseAccount, EnterpriseMembership
from enterprise_accounts.tasks import stale_profiles
from tests.factories import EnterpriseFactory, EnterpriseMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def long_ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_reminders_go_to_each_person_in_their_language_once(task_worker):
    due = EnterpriseFactory(name="Coop Ancienne", confirmed_on=long_ago(400))
    EnterpriseMembershipFactory(enterprise=due, language="fr",
                                user=UserFactory(email="lea@ancienne.coop"))
    EnterpriseMembershipFactory(enterprise=due, language="en",
                                user=UserFactory(email="sam@ancienne.coop"))
    fresh = EnterpriseFactory(confirmed_on=long_ago(30))
    EnterpriseMembershipFactory(enterprise=fresh, user=UserFactory(email="x@fresh.coop"))
    # Nobody keeps this one: nobody to remind.
    EnterpriseFactory(confirmed_on=long_ago(900))

    call_command("send_profile_reminders")
    task_worker()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"lea@ancienne.coop", "sam@ancienne.coop"}
    french, english = by_recipient["lea@ancienne.coop"], by_recipient["sam@ancienne.coop"]
    assert french.subject == "La fiche de Coop Ancienne est-elle toujours à jour ?"
    assert english.subject == "Is the profile of Coop Ancienne still up to date?"
    assert reverse("enterprise_accounts:profile", args=[due.pk]) in french.body
    assert "/en/enterprise/" in english.body

    # The same day again (cron retried, two workers): nothing more.
    call_command("send_profile_reminders")
    task_worker()
    assert len(mail.outbox) == 2
    assert EnterpriseAccount.objects.get(enterprise=due).last_reminded_at is not None


def test_the_interval_is_a_setting(settings, task_worker):
    settings.PROFILE_REMINDER_DAYS = 20
    enterprise = EnterpriseFactory(confirmed_on=long_ago(30))
    EnterpriseMembershipFactory(enterprise=enterprise)
    call_command("send_profile_reminders")
    task_worker()
    assert len(mail.outbox) == 1


def test_profiles_unconfirmed_for_two_years_are_listed_to_staff(client, staff_user):
    stale = EnterpriseFactory(name="Coop Oubliée", confirmed_on=long_ago(800))
    EnterpriseFactory(name="Coop Récente", confirmed_on=long_ago(100))
    assert list(stale_profiles()) == [stale]
    client.force_login(staff_user)
    queue = client.get(reverse("admin:enterprise_accounts_queue")).content.decode()
    assert "Coop Oubliée" in queue and "Coop Récente" not in queue


def test_staff_find_every_stale_profile_in_the_list_of_enterprises(client, staff_user):
    EnterpriseFactory(name="Coop Oubliée", confirmed_on=long_ago(800))
    EnterpriseFactory(name="Coop Récente", confirmed_on=long_ago(100))
    client.force_login(staff_user)
    queue = client.get(reverse("admin:enterprise_accounts_queue")).content.decode()
    link = reverse("admin:enterprises_enterprise_changelist") + "?stale=yes"

    listed = client.get(link).content.decode()

    assert f'href="{link}"' in queue
    assert "Coop Oubliée" in listed and "Coop Récente" not in listed


def test_profiles_claimed_two_years_ago_and_never_confirmed_are_listed_to_staff(
    client, staff_user
):
    forgotten = EnterpriseFactory(name="Coop Muette", confirmed_on=None)
    joined = EnterpriseMembershipFactory(enterprise=forgotten)
    EnterpriseMembership.objects.filter(pk=joined.pk).update(
        created_at=timezone.now() - timedelta(days=800))
    EnterpriseMembershipFactory(enterprise=EnterpriseFactory(name="Coop Nouvelle",
                                                             confirmed_on=None))
    # Nobody ever claimed it: nobody could have confirmed it.
    EnterpriseFactory(name="Coop Sans compte", confirmed_on=None)
    assert list(stale_profiles()) == [forgotten]
    client.force_login(staff_user)
    queue = client.get(reverse("admin:enterprise_accounts_queue")).content.decode()
    assert "Coop Muette</a> (jamais confirmée)" in queue
    assert "Coop Nouvelle" not in queue and "Coop Sans compte" not in queue
