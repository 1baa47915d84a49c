"""An enterprise's links (categories, sectors, regions served, labels) never point to a row that
does not exist, however they are written: by the admin, by Django, or loaded in bulk by an
import. On PostgreSQL statement-level triggers guard them (migration 0017), elsewhere foreign
keys; both are checked here the same way, ``check_constraints`` standing for the commit."""

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, ProtectedError

from enterprises.imports.apply import insert_links
from enterprises.models import Category, Enterprise, Label, Region, Sector
from tests.factories import EnterpriseFactory, EnterpriseLabelFactory, LabelFactory, region

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="the triggers that stand for foreign keys")


def missing_id(model):
    return (model.objects.aggregate(highest=Max("pk"))["highest"] or 0) + 1000


def committed(write):
    """Run ``write`` and the checks a commit makes, in a savepoint rolled back on failure."""
    with transaction.atomic():
        write()
        connection.check_constraints()


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory()


def test_a_link_to_a_category_that_does_not_exist_is_refused(enterprise):
    link = Enterprise.categories.through

    with pytest.raises(IntegrityError):
        committed(lambda: link.objects.create(enterprise=enterprise,
                                              category_id=missing_id(Category)))

    assert not enterprise.categories.exists()


def test_a_link_from_an_enterprise_that_does_not_exist_is_refused(enterprise):
    link = Enterprise.sectors.through
    sector = Sector.objects.first()

    with pytest.raises(IntegrityError):
        committed(lambda: link.objects.create(enterprise_id=missing_id(Enterprise),
                                              sector=sector))

    assert not link.objects.filter(sector=sector).exists()


def test_links_an_import_loads_in_bulk_are_refused_when_a_region_is_missing(enterprise):
    served = [(enterprise.pk, region("06").pk), (enterprise.pk, missing_id(Region))]

    with pytest.raises(IntegrityError):
        committed(lambda: insert_links("service_area", served, new=True))

    assert not enterprise.service_area.exists()


def test_links_an_import_loads_in_bulk_land_when_every_row_exists(enterprise):
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True)[:2])

    committed(lambda: insert_links("categories", [(enterprise.pk, pk) for pk in categories],
                                   new=True))

    assert sorted(enterprise.categories.values_list("pk", flat=True)) == categories


def test_a_label_held_by_an_enterprise_cannot_be_deleted_behind_django(enterprise):
    award = EnterpriseLabelFactory(enterprise=enterprise, label=LabelFactory())

    with pytest.raises(IntegrityError):
        committed(lambda: Label.objects.filter(pk=award.label_id)._raw_delete(connection.alias))

    assert Label.objects.filter(pk=award.label_id).exists()


def test_a_category_in_use_cannot_change_its_id(enterprise):
    category = Category.objects.first()
    enterprise.categories.add(category)

    with pytest.raises(IntegrityError):
        committed(lambda: Category.objects.filter(pk=category.pk).update(id=missing_id(Category)))

    assert enterprise.categories.get() == category


def test_a_curator_deleting_an_enterprise_deletes_its_links_as_before(enterprise):
    enterprise.categories.add(Category.objects.first())
    enterprise.service_area.add(region("06"))
    EnterpriseLabelFactory(enterprise=enterprise, label=LabelFactory())

    committed(enterprise.delete)

    assert not Enterprise.categories.through.objects.filter(enterprise_id=enterprise.pk).exists()
    assert not Enterprise.service_area.through.objects.filter(
        enterprise_id=enterprise.pk).exists()


def test_a_curator_deleting_a_category_removes_it_from_its_enterprises(enterprise):
    category = Category.objects.filter(children__isnull=True).first()
    enterprise.categories.add(category)

    committed(category.delete)

    assert not enterprise.categories.exists()


def test_a_label_still_held_is_protected_as_before(enterprise):
    award = EnterpriseLabelFactory(enterprise=enterprise, label=LabelFactory())

    with pytest.raises(ProtectedError):
        award.label.delete()


@postgresql_only
def test_emptying_the_categories_is_refused_while_enterprises_use_them(enterprise):
    """TRUNCATE … CASCADE follows foreign keys only: the links refuse it rather than point
    nowhere."""
    enterprise.categories.add(Category.objects.first())

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE enterprises_category CASCADE")

    assert enterprise.categories.exists()


@postgresql_only
def test_a_category_being_linked_cannot_be_deleted_by_another_session(enterprise):
    """The rows a link refers to are locked as a foreign key locks them: a delete from
    another session waits for the link's transaction (here: cannot take its lock at once)."""
    category = Category.objects.first()  # reference data, committed: the other session sees it
    enterprise.categories.add(category)
    settings = connection.get_connection_params()

    with psycopg.connect(**settings, autocommit=True) as other:
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("SELECT FROM enterprises_category WHERE id = %s FOR UPDATE NOWAIT",
                          [category.pk])
