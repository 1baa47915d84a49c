"""Matchmaking without the database: rank buyer–enterprise pairs, then fill time slots.

Pure functions over plain values, so the ranking and the scheduler are tested (and
property-tested) without a single query; `Event.proposed_pairs` and
`Event.propose_schedule` feed them from the registrations.
"""

from dataclasses import dataclass

BUYER = "buyer"
ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class Participant:
    """A confirmed registrant: what they buy or offer, and where they are."""

    registration_id: int
    role: str
    categories: frozenset
    region_id: int | None = None


@dataclass(frozen=True)
class Pair:
    """A proposed meeting between a buyer and an enterprise, with why they should meet."""

    buyer: int
    enterprise: int
    shared_categories: frozenset
    same_region: bool

    @property
    def rank_key(self):
        """More shared categories first; the same region breaks ties."""
        return (-len(self.shared_categories), not self.same_region, self.buyer, self.enterprise)


@dataclass(frozen=True)
class Assignment:
    pair: Pair
    slot: object


def descendants(parents):
    """Each category with every category below it, from a {category: parent} mapping."""
    children = {}
    for category, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(category)
    below = {}
    for category in parents:
        found = {category}
        frontier = [category]
        while frontier:
            for child in children.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        below[category] = frozenset(found)
    return below


def shared_categories(first, second, below):
    """The categories two participants have in common, a parent matching its descendants.

    The more specific category of each match is the one kept: a buyer of « Food » and a
    caterer share « Catering », and two caterers share « Catering » once, not every sibling.
    """

    def expand(categories):
        return set().union(*(below.get(category, {category}) for category in categories))

    return frozenset((expand(first) & second) | (expand(second) & first))


def rank_pairs(participants, parents):
    """Every buyer–enterprise pair with at least one shared category, best first.

    Buyers are never paired with buyers, nor enterprises with enterprises.
    """
    below = descendants(parents)
    buyers = [p for p in participants if p.role == BUYER]
    enterprises = [p for p in participants if p.role == ENTERPRISE]
    pairs = []
    for buyer in buyers:
        for enterprise in enterprises:
            shared = shared_categories(buyer.categories, enterprise.categories, below)
            if shared:
                pairs.append(Pair(
                    buyer=buyer.registration_id,
                    enterprise=enterprise.registration_id,
                    shared_categories=shared,
                    same_region=buyer.region_id is not None
                    and buyer.region_id == enterprise.region_id,
                ))
    return sorted(pairs, key=lambda pair: pair.rank_key)


def assign_slots(pairs, slots):
    """Give each pair, in the order given, the earliest slot where both sides are free.

    Greedy: the best-ranked pairs get a meeting first, nobody is in two meetings in the same
    slot, a pair meets at most once, and a pair left out has no slot where both are free.
    """
    busy = {slot: set() for slot in slots}
    met = set()
    assignments = []
    for pair in pairs:
        sides = ((BUYER, pair.buyer), (ENTERPRISE, pair.enterprise))
        if sides in met:
            continue
        for slot in slots:
            if busy[slot].isdisjoint(sides):
                busy[slot].update(sides)
                met.add(sides)
                assignments.append(Assignment(pair=pair, slot=slot))
                break
    return assignments
