import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import (
    BuyerProfileFactory,
    EnterpriseFactory,
    MembershipFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
)


@pytest.fixture
def member(db):
    """Buyer A: a contributor of a member organization."""
    return MembershipFactory(
        user__username="acheteuse@ville.example", user__email="acheteuse@ville.example"
    )


@pytest.fixture
def outside_buyer(db):
    """Buyer B: a confirmed self-service buyer account."""
    return BuyerProfileFactory(
        user__username="achats@entreprise.example", user__email="achats@entreprise.example"
    ).user


@pytest.fixture
def three_enterprises(db):
    return [
        EnterpriseFactory(name=name, email=email)
        for name, email in [
            ("Traiteur Solidaire", "traiteur@solidaire.example"),
            ("Cuisine Collective", "cuisine@collective.example"),
            ("Buffet Coop", "buffet@coop.example"),
        ]
    ]


@pytest.fixture
def shortlist(member, three_enterprises):
    shortlist = ShortlistFactory(owner=member.user, name="Traiteurs pour la fête de quartier")
    for enterprise in three_enterprises:
        ShortlistEntryFactory(shortlist=shortlist, enterprise=enterprise)
    return shortlist


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


@pytest.fixture
def outbox(task_worker):
    """The mails delivered so far, after running the queued tasks."""

    def deliver():
        task_worker()
        return mail.outbox

    return deliver


@pytest.fixture(autouse=True)
def fresh_signup_mail_counts():
    """Sign-up emails are counted per address and hour in the cache (at most three): each
    test starts with none, whichever tests signed up the same address before it."""
    cache.clear()
    yield
    cache.clear()
