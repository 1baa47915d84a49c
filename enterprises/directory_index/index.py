"""The published directory held in memory, one ``DirectoryIndex`` per process.

It holds one bitset per facet value (each region, MRC, category, sector, label and legal form),
the published ids in each order the listing offers (``orders``), the reference lists in display
order (regions, MRCs, categories, sectors, labels) and the matches of the texts searched last
(``text``).
``current_index()`` builds it again whenever ``DirectoryRevision`` says the directory changed
(one primary-key read per request), and at least every ``DIRECTORY_FACETS_CACHE_SECONDS`` in
case a write slipped past the revision (0 builds it for every request).
"""

import time
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_

from django.conf import settings
from django.db import connections, router

from ..filters import Sort
from ..models import (
    Category,
    CategoryTree,
    DirectoryRevision,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    Label,
    Mrc,
    Network,
    Region,
    Sector,
)
from ..validators import fold
from .bitsets import bitset, lowest_bits
from .orders import Order
from .text import RecentTextMatches

FACETS = ("category", "region", "mrc", "sector", "legal_form", "label", "verification")


@dataclass
class DirectoryIndex:
    """The published directory as bitsets: ``members[facet][value key]`` and ``published``.

    Keys are primary keys, and the legal form's value for ``legal_form``. A category's bitset
    includes the enterprises of every category below it; a region's includes the enterprises
    serving it; an MRC's only the enterprises based in it.
    """

    revision: object
    published: int
    members: dict
    regions: list
    mrcs: list
    categories: list
    category_tree: CategoryTree
    sectors: list
    labels: list
    # The published ids in each order of ``filters.Sort`` but relevance, as the database sorts
    # them: by name from the build, the others read when a listing first asks (``order``).
    orders: dict
    built_at: float = field(default_factory=time.monotonic)
    text: RecentTextMatches = field(default_factory=RecentTextMatches, repr=False)
    # Each facet's values in display order, per language (``facets.facet_choices``).
    facet_choices: dict = field(default_factory=dict, repr=False)
    # The facet counts of recent filter states (``facets.FilteredDirectory.facet_counts``).
    counted: dict = field(default_factory=dict, repr=False)
    # The search hints of recent listings (``search.hints.kept_offers``).
    hints: dict = field(default_factory=dict, repr=False)
    # Each facet entry's HTML around its count, per language and state
    # (``caching.facet_entry_html``).
    facet_entries: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, revision):
        published = Enterprise.objects.published()
        # In name order, the listing's default, as the database sorts names.
        rows = list(published.order_by(*Sort.orderings[Sort.NAME]).values_list(
            "pk", "region_id", "mrc_id", "legal_form", "verification_status"
        ))
        members = {facet: {} for facet in FACETS}
        _collect(members["region"], ((region, pk) for pk, region, *_ in rows))
        _collect(members["mrc"], ((mrc, pk) for pk, _, mrc, *_ in rows if mrc is not None))
        _collect(members["legal_form"], ((form, pk) for pk, _, _, form, _ in rows))
        _collect(members["verification"], ((state, pk) for pk, *_, state in rows))
        ids = published.values("pk")
        for facet, table, column in (
            ("region", Enterprise.service_area.through.objects, "region_id"),
            ("category", Enterprise.categories.through.objects, "category_id"),
            ("sector", Enterprise.sectors.through.objects, "sector_id"),
            ("label", EnterpriseLabel.objects, "label_id"),
        ):
            pairs = table.filter(enterprise_id__in=ids).values_list(column, "enterprise_id")
            _collect(members[facet], pairs.iterator(chunk_size=10_000))
        members = {
            facet: {key: bitset(ids) for key, ids in values.items()}
            for facet, values in members.items()
        }
        categories = list(Category.objects.all())
        tree = CategoryTree.of(categories)
        own = members["category"]
        members["category"] = {
            category.pk: reduce(
                or_, (own.get(pk, 0) for pk in tree.with_descendants([category.pk])), 0
            )
            for category in categories
        }
        regions, mrcs = _regions_and_mrcs()
        published_ids = bitset(pk for pk, *_ in rows)
        return cls(
            revision=revision,
            published=published_ids,
            members=members,
            regions=regions,
            mrcs=sorted(mrcs, key=lambda mrc: fold(mrc.name)),
            categories=categories,
            category_tree=tree,
            sectors=list(Sector.objects.all()),
            labels=list(Label.objects.all()),
            orders={Sort.NAME: Order((pk for pk, *_ in rows), published_ids)},
        )

    def order(self, sort):
        """The published ids in ``sort``'s order (``Order``). An order other than by name is
        read the first time a listing asks for it: most processes never sort by date, and
        reading the dates with the build's other columns made every build convert them all."""
        order = self.orders.get(sort)
        if order is None:
            ids = Enterprise.objects.published().order_by(*Sort.orderings[sort])
            order = self.orders[sort] = Order(ids.values_list("pk", flat=True), self.published)
        return order

    @cached_property
    def known_choices(self):
        """The reference lists by the value a filter names them with, for
        ``EnterpriseFilterSet(known_choices=…)``: regions by code, MRCs by code and slug, the
        others by slug."""
        return {
            "region": {region.code: region for region in self.regions},
            "mrc": {key: mrc for mrc in self.mrcs for key in (mrc.code, mrc.slug)},
            "category": {category.slug: category for category in self.categories},
            "sector": {sector.slug: sector for sector in self.sectors},
            "label": {label.slug: label for label in self.labels},
        }

    def text_matches(self, text):
        """The enterprises matching ``text`` as ``TextMatches`` (None when the text has
        nothing to search), kept for this revision of the directory."""
        return self.text.get(text)

    def any_of(self, facet, keys):
        return reduce(or_, (self.members[facet].get(key, 0) for key in keys), 0)

    def count(self, bits, facet, key):
        return (bits & self.members[facet].get(key, 0)).bit_count()

    def similar_to(self, enterprise, categories, count):
        """The ids of up to ``count`` published enterprises in ``enterprise``'s region (based
        or serving there) offering one of ``categories`` (ids) or a category below them.

        The ones listed right after it are chosen first, then from the start: each enterprise
        page suggests different neighbours instead of the same oldest entries.
        """
        candidates = (
            self.published
            & self.members["region"].get(enterprise.region_id, 0)
            & self.any_of("category", categories)
            & ~(1 << enterprise.pk)
        )
        start = enterprise.pk + 1
        after = [start + n for n in lowest_bits(candidates >> start, count)]
        before = lowest_bits(candidates & ((1 << enterprise.pk) - 1), count - len(after))
        return after + before

    @cached_property
    def by_pk(self):
        """The reference rows by kind and primary key, for the enterprise page."""
        return {
            "region": {region.pk: region for region in self.regions},
            "mrc": {mrc.pk: mrc for mrc in self.mrcs},
            "category": {category.pk: category for category in self.categories},
            "sector": {sector.pk: sector for sector in self.sectors},
            "label": {label.pk: label for label in self.labels},
        }

    @cached_property
    def networks(self):
        """The networks in name order, read the first time a page names one: a network's
        change bumps the directory's revision, which replaces the index."""
        return list(Network.objects.all())

    def relations_of(self, enterprise):
        """``enterprise``'s categories, sectors and regions served (each in the index's order),
        the networks it came from (by name) and its label awards (in the order recorded): one
        query of its link rows, through a plain cursor since composing the ORM's five queries
        took ten times longer than running them; the rows they name are the index's own."""
        links = [
            ("category", Enterprise.categories.through, "category_id"),
            ("sector", Enterprise.sectors.through, "sector_id"),
            ("region", Enterprise.service_area.through, "region_id"),
            ("network", EnterpriseSource, "network_id"),
        ]
        connection = connections[router.db_for_read(Enterprise)]
        quote = connection.ops.quote_name
        # The awards first: PostgreSQL types a union's columns from its first part.
        parts = [
            f"SELECT 'label', {quote('label_id')}, {quote('id')}, {quote('awarded_on')}, "
            f"{quote('issuer')} FROM {quote(EnterpriseLabel._meta.db_table)}"
            f" WHERE {quote('enterprise_id')} = %s"
        ]
        parts += [
            f"SELECT '{kind}', {quote(column)}, NULL, NULL, NULL FROM {quote(model._meta.db_table)}"
            f" WHERE {quote('enterprise_id')} = %s"
            for kind, model, column in links
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), [enterprise.pk] * len(parts))
            rows = cursor.fetchall()
        ids = {kind: set() for kind in ("category", "sector", "region", "network")}
        awards = []
        awarded_on = EnterpriseLabel._meta.get_field("awarded_on")
        for kind, pk, award, date, issuer in rows:
            if kind != "label":
                ids[kind].add(pk)
            # A label added since this index's revision is left out, as a category would be:
            # the page is kept for that revision only.
            elif (label := self.by_pk["label"].get(pk)) is not None:
                awards.append(EnterpriseLabel(
                    pk=award, enterprise=enterprise, label=label,
                    awarded_on=awarded_on.to_python(date), issuer=issuer,
                ))
        return {
            "categories": [row for row in self.categories if row.pk in ids["category"]],
            "sectors": [row for row in self.sectors if row.pk in ids["sector"]],
            "service_area": [row for row in self.regions if row.pk in ids["region"]],
            "source_networks": (
                [row for row in self.networks if row.pk in ids["network"]]
                if ids["network"] else []
            ),
            "label_awards": sorted(awards, key=lambda award: award.pk),
        }

    def similar_enterprises(self, enterprise, categories, count):
        """The enterprises that ``similar_to`` finds, by name, each with its name, slug and
        region (the index's): one query through a plain cursor, as ``relations_of``."""
        ids = self.similar_to(enterprise, categories, count)
        if not ids:
            return []
        connection = connections[router.db_for_read(Enterprise)]
        quote = connection.ops.quote_name
        columns = ["id", "name", "slug", "region_id"]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(map(quote, columns))} FROM {quote(Enterprise._meta.db_table)}"
                f" WHERE {quote('id')} IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
            rows = cursor.fetchall()
        neighbours = []
        for row in rows:
            neighbour = Enterprise.from_db(connection.alias, columns, row)
            # A region added since this index's revision is read on its own.
            neighbour.region = self.by_pk["region"].get(neighbour.region_id) or neighbour.region
            neighbours.append(neighbour)
        # Sorted here: asked to sort, SQLite walks the whole index on names to find these few.
        return sorted(neighbours, key=lambda neighbour: (neighbour.name, neighbour.pk))


def _regions_and_mrcs():
    """The regions in display order, and their MRCs, each holding its region: one query."""
    regions, mrcs = {}, []
    region_fields = ["pk", "code", "name", "name_en", "slug"]
    mrc_fields = ["pk", "code", "name", "slug"]
    rows = Region.objects.values_list(*region_fields, *(f"mrcs__{name}" for name in mrc_fields))
    for row in rows:
        region_row = dict(zip(region_fields, row[: len(region_fields)], strict=True))
        mrc_row = dict(zip(mrc_fields, row[len(region_fields) :], strict=True))
        if region_row["pk"] not in regions:
            regions[region_row["pk"]] = Region(**region_row)
        region = regions[region_row["pk"]]
        if mrc_row["pk"] is not None:
            mrcs.append(Mrc(region=region, **mrc_row))
    return list(regions.values()), mrcs


def _collect(members, pairs):
    for key, pk in pairs:
        members.setdefault(key, []).append(pk)


_index = None


def loaded_revision():
    """The revision of the index this process holds, without asking the database; None when
    none is loaded yet."""
    index = _index
    return index.revision if index is not None else None


def current_index(revision=None):
    """This process's index, built again if the directory changed or it is too old.

    ``revision`` is the directory's current one when the caller read it already. Threads
    share the index: it is never modified, only replaced, and two threads building it at once
    merely duplicate work.
    """
    global _index
    if revision is None:
        revision = DirectoryRevision.current()
    index = _index
    max_age = settings.DIRECTORY_FACETS_CACHE_SECONDS
    if index is None or index.revision != revision or time.monotonic() - index.built_at >= max_age:
        index = _index = DirectoryIndex.build(revision)
    return index
