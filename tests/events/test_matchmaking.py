"""Matchmaking: the pairs ranked by shared categories and region, and a schedule in which
nobody is ever in two meetings at once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from enterprises.models import Category
from events.matchmaking import (
    BUYER,
    ENTERPRISE,
    Pair,
    Participant,
    assign_slots,
    rank_pairs,
    shared_categories,
)
from events.models import Event, Meeting, Registration
from tests.factories import EventFactory, RegistrationFactory, region

# A small category tree: 1 Food > 2 Catering, 3 Boxed lunches; 4 Environment > 5 Recycling.
PARENTS = {1: None, 2: 1, 3: 1, 4: None, 5: 4}


def buyer(pk, categories, region_id=None):
    return Participant(pk, BUYER, frozenset(categories), region_id)


def enterprise(pk, categories, region_id=None):
    return Participant(pk, ENTERPRISE, frozenset(categories), region_id)


def ranking(participants):
    return [(pair.buyer, pair.enterprise) for pair in rank_pairs(participants, PARENTS)]


# The ranking (pure)


def test_pairs_are_ranked_by_the_number_of_shared_categories():
    participants = [
        buyer(1, {2, 5}),
        enterprise(10, {2}),
        enterprise(11, {2, 5}),
        enterprise(12, {4}),  # Environment matches the buyer's Recycling
    ]

    assert ranking(participants) == [(1, 11), (1, 10), (1, 12)]


def test_a_parent_category_matches_its_descendants_in_both_directions():
    below = {1: {1, 2, 3}, 2: {2}, 3: {3}}

    assert shared_categories({1}, {2, 3}, below) == {2, 3}
    assert shared_categories({2}, {1}, below) == {2}
    assert shared_categories({1}, {1}, below) == {1}
    assert shared_categories({2}, {3}, below) == set()


def test_the_same_region_breaks_a_tie_but_never_beats_one_more_shared_category():
    participants = [
        buyer(1, {2, 3}, region_id=6),
        enterprise(10, {2}, region_id=2),
        enterprise(11, {2}, region_id=6),
        enterprise(12, {2, 3}, region_id=2),
    ]

    pairs = rank_pairs(participants, PARENTS)

    assert [(pair.enterprise, pair.same_region) for pair in pairs] == [
        (12, False), (11, True), (10, False)
    ]


def test_buyers_are_never_paired_with_buyers_nor_enterprises_with_enterprises():
    participants = [buyer(1, {2}), buyer(2, {2}), enterprise(10, {2}), enterprise(11, {2})]

    assert sorted(ranking(participants)) == [(1, 10), (1, 11), (2, 10), (2, 11)]


def test_nothing_in_common_means_no_pair_even_in_the_same_region():
    participants = [buyer(1, {2}, region_id=6), enterprise(10, {5}, region_id=6)]

    assert ranking(participants) == []


# The scheduler (pure, property-based)

SLOTS = [datetime(2026, 12, 3, 13, 0) + timedelta(minutes=20 * n) for n in range(6)]


@st.composite
def matchmaking_rooms(draw):
    """Random buyers and enterprises with random categories and regions."""
    categories = st.frozensets(st.sampled_from(sorted(PARENTS)), max_size=3)
    regions = st.sampled_from([None, 6, 13])
    buyers = draw(st.lists(st.tuples(categories, regions), max_size=8))
    enterprises = draw(st.lists(st.tuples(categories, regions), max_size=8))
    return [buyer(pk, c, r) for pk, (c, r) in enumerate(buyers, start=1)] + [
        enterprise(pk, c, r) for pk, (c, r) in enumerate(enterprises, start=100)
    ]


@given(participants=matchmaking_rooms(), slot_count=st.integers(0, len(SLOTS)))
def test_a_schedule_never_double_books_anyone_and_leaves_out_only_pairs_that_cannot_meet(
    participants, slot_count
):
    slots = SLOTS[:slot_count]
    pairs = rank_pairs(participants, PARENTS)

    assignments = assign_slots(pairs, slots)

    buyer_slots = [(a.pair.buyer, a.slot) for a in assignments]
    enterprise_slots = [(a.pair.enterprise, a.slot) for a in assignments]
    met = [(a.pair.buyer, a.pair.enterprise) for a in assignments]
    assert len(set(buyer_slots)) == len(buyer_slots)
    assert len(set(enterprise_slots)) == len(enterprise_slots)
    assert len(set(met)) == len(met)
    assert all(a.slot in slots for a in assignments)
    # Greedy is maximal: a pair left out has no slot where both sides are free.
    for pair in pairs:
        if (pair.buyer, pair.enterprise) in met:
            continue
        for slot in slots:
            assert (pair.buyer, slot) in buyer_slots or (pair.enterprise, slot) in enterprise_slots


def test_the_best_ranked_pairs_get_the_first_slots():
    pairs = [
        Pair(1, 10, frozenset({2, 3}), True),
        Pair(1, 11, frozenset({2}), True),
        Pair(2, 10, frozenset({2}), False),
    ]

    assignments = assign_slots(pairs, SLOTS[:2])

    assert [(a.pair.buyer, a.pair.enterprise, a.slot) for a in assignments] == [
        (1, 10, SLOTS[0]), (1, 11, SLOTS[1]), (2, 10, SLOTS[1])
    ]


def test_a_pair_given_twice_meets_once():
    pair = Pair(1, 10, frozenset({2}), False)

    assert len(assign_slots([pair, pair], SLOTS)) == 1


# From the registrations (database)

MONTREAL = ZoneInfo("America/Montreal")


@pytest.fixture
def matchmaking_event(db):
    start = datetime(2030, 5, 7, 13, 0, tzinfo=MONTREAL)
    return EventFactory(
        kind=Event.Kind.MATCHMAKING, starts_at=start, ends_at=start + timedelta(hours=1),
        meeting_minutes=20, capacity=20,
    )


def registrant(event, role, slugs, region_code="06", **fields):
    return RegistrationFactory(
        event=event, role=role, region=region(region_code),
        categories=list(Category.objects.filter(slug__in=slugs)), **fields,
    )


def test_proposed_pairs_come_from_confirmed_registrants_and_the_real_category_tree(
    matchmaking_event, django_assert_num_queries
):
    city = registrant(matchmaking_event, BUYER, ["alimentation"])
    caterer = registrant(matchmaking_event, ENTERPRISE, ["traiteur", "boites-a-lunch"])
    far_caterer = registrant(matchmaking_event, ENTERPRISE, ["traiteur", "boites-a-lunch"],
                             region_code="02")
    registrant(matchmaking_event, ENTERPRISE, ["traiteur"],
               status=Registration.Status.WAITLISTED)
    registrant(matchmaking_event, BUYER, ["recyclage"])

    # The category tree; the confirmed registrants; their categories.
    with django_assert_num_queries(3):
        pairs = matchmaking_event.proposed_pairs()

    assert [(pair.buyer, pair.enterprise) for pair in pairs] == [
        (city.pk, caterer.pk), (city.pk, far_caterer.pk)
    ]
    assert len(pairs[0].shared_categories) == 2


def test_proposing_a_schedule_books_slots_without_double_booking(matchmaking_event):
    buyers = [registrant(matchmaking_event, BUYER, ["alimentation"]) for _ in range(2)]
    enterprises = [registrant(matchmaking_event, ENTERPRISE, ["traiteur"]) for _ in range(2)]
    registrant(matchmaking_event, ENTERPRISE, ["recyclage"])  # shares nothing: no meeting

    meetings = matchmaking_event.propose_schedule()

    # Three slots of 20 minutes in an hour; 2 buyers × 2 caterers = 4 meetings in 2 slots.
    assert len(meetings) == 4
    assert {meeting.starts_at for meeting in meetings} == set(
        matchmaking_event.meeting_slots()[:2]
    )
    assert len(matchmaking_event.meeting_slots()) == 3
    for meeting in Meeting.objects.all():
        meeting.full_clean()
    assert {m.buyer_id for m in meetings} == {b.pk for b in buyers}
    assert {m.enterprise_id for m in meetings} == {e.pk for e in enterprises}


def test_the_database_refuses_a_buyer_in_two_meetings_in_one_slot(matchmaking_event):
    city = registrant(matchmaking_event, BUYER, ["alimentation"])
    first, second = (registrant(matchmaking_event, ENTERPRISE, ["traiteur"]) for _ in range(2))
    slot = matchmaking_event.starts_at
    Meeting.objects.create(event=matchmaking_event, buyer=city, enterprise=first, starts_at=slot)
    double = Meeting(event=matchmaking_event, buyer=city, enterprise=second, starts_at=slot)

    with pytest.raises(ValidationError) as error:
        double.full_clean()
    assert "buyer" in error.value.message_dict
    with pytest.raises(IntegrityError):
        double.save()


def test_a_meeting_checks_the_roles_the_event_and_the_slot(matchmaking_event):
    city = registrant(matchmaking_event, BUYER, ["alimentation"])
    other_city = registrant(matchmaking_event, BUYER, ["alimentation"])
    elsewhere = registrant(EventFactory(kind=Event.Kind.MATCHMAKING), ENTERPRISE, ["traiteur"])

    meeting = Meeting(event=matchmaking_event, buyer=city, enterprise=other_city,
                      starts_at=matchmaking_event.starts_at + timedelta(minutes=7))
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert set(error.value.message_dict) == {"enterprise", "starts_at"}

    meeting.enterprise = elsewhere
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "enterprise" in error.value.message_dict


def test_cancelling_drops_the_meetings_of_the_person(matchmaking_event):
    city = registrant(matchmaking_event, BUYER, ["alimentation"])
    registrant(matchmaking_event, ENTERPRISE, ["traiteur"])
    matchmaking_event.propose_schedule()
    assert Meeting.objects.filter(buyer=city).exists()

    city.cancel()

    assert not Meeting.objects.exists()


def test_the_published_schedule_is_public_and_each_registrant_sees_their_meetings(
    client, matchmaking_event
):
    city = registrant(matchmaking_event, BUYER, ["alimentation"],
                      organization_name="Ville de Longueuil")
    caterer = registrant(matchmaking_event, ENTERPRISE, ["traiteur"],
                         organization_name="Resto Plateau")
    matchmaking_event.propose_schedule()
    schedule_url = reverse("events:schedule", args=[matchmaking_event.slug])

    assert client.get(schedule_url).status_code == 404  # not published yet
    assert "Resto Plateau" not in client.get(city.get_absolute_url()).content.decode()

    Event.objects.filter(pk=matchmaking_event.pk).update(schedule_published=True)

    schedule = client.get(schedule_url).content.decode()
    assert "Ville de Longueuil" in schedule and "Resto Plateau" in schedule
    assert city.email not in schedule
    assert "Resto Plateau" in client.get(city.get_absolute_url()).content.decode()
    assert "Ville de Longueuil" in client.get(caterer.get_absolute_url()).content.decode()


def test_a_matchmaking_registration_requires_categories_and_a_region(client, matchmaking_event):
    url = reverse("events:register", args=[matchmaking_event.slug])
    data = {"role": "enterprise", "name": "Léa", "organization_name": "Resto Plateau",
            "email": "lea@example.org"}

    refused = client.post(url, data)
    accepted = client.post(url, {
        **data, "region": region("06").pk,
        "categories": list(Category.objects.filter(slug="traiteur").values_list("pk", flat=True)),
    })

    assert refused.status_code == 200
    assert not Registration.objects.filter(email="lea@example.org", categories__isnull=True)
    assert accepted.status_code == 302
    registration = Registration.objects.get(email="lea@example.org")
    assert [c.slug for c in registration.categories.all()] == ["traiteur"]
    assert registration.region == region("06")
