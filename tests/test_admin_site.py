"""Every page of every registered model admin, generated from the admin registry.

A newly registered model admin is covered without editing this file, as long as its model has
rows: reference rows from the migrations, or a factory listed in ROWS below.
"""

from datetime import timedelta

import factory
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from enterprises.models import (
    Category,
    Enterprise,
    EnterpriseLabel,
    EnterpriseSource,
    ImportProfile,
    ImportReviewItem,
    ImportRun,
    Label,
    Network,
)
from events.models import Event, Meeting, Registration
from programs.models import ProcurementSheet, VideoCapsule
from purchases.models import Invitation, MemberOrganization, Membership, OutgoingMail, Purchase
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    EnterpriseSourceFactory,
    EventFactory,
    GroupFactory,
    ImportProfileFactory,
    ImportReviewItemFactory,
    ImportRunFactory,
    InvitationFactory,
    MemberOrganizationFactory,
    MembershipFactory,
    OutgoingMailFactory,
    ProcurementSheetFactory,
    PurchaseFactory,
    RegistrationFactory,
    UserFactory,
    VideoCapsuleFactory,
)

PAGE_SIZE = 100


def enterprise_labels(count):
    EnterpriseLabelFactory.create_batch(count, label=factory.Iterator(Label.objects.all()))


def enterprise_sources(count):
    EnterpriseSourceFactory.create_batch(count, network=factory.Iterator(Network.objects.all()))


def purchases(count):
    """Half linked to the directory, half with a supplier typed in, across ten members."""
    organizations = MemberOrganizationFactory.create_batch(10)
    PurchaseFactory.create_batch(
        count,
        organization=factory.Iterator(organizations),
        enterprise=factory.Iterator([*EnterpriseFactory.create_batch(5), None]),
        supplier_name="Traiteur du quartier",
    )


def meetings(count):
    """One buyer meeting enterprises in successive slots of one long event."""
    start = timezone.now() + timedelta(days=7)
    event = EventFactory(kind=Event.Kind.MATCHMAKING, starts_at=start,
                         ends_at=start + timedelta(minutes=20 * count))
    buyer = RegistrationFactory(event=event)
    for slot in event.meeting_slots():
        Meeting.objects.create(
            event=event, buyer=buyer, starts_at=slot,
            enterprise=RegistrationFactory(event=event, role=Registration.Role.ENTERPRISE),
        )


# How to make a page of rows for models that the migrations leave empty.
ROWS = {
    get_user_model(): UserFactory.create_batch,
    Group: GroupFactory.create_batch,
    Enterprise: EnterpriseFactory.create_batch,
    EnterpriseLabel: enterprise_labels,
    EnterpriseSource: enterprise_sources,
    ImportProfile: ImportProfileFactory.create_batch,
    ImportRun: ImportRunFactory.create_batch,
    ImportReviewItem: ImportReviewItemFactory.create_batch,
    MemberOrganization: MemberOrganizationFactory.create_batch,
    Membership: MembershipFactory.create_batch,
    Invitation: InvitationFactory.create_batch,
    OutgoingMail: OutgoingMailFactory.create_batch,
    Purchase: purchases,
    ProcurementSheet: lambda count: [  # one per category, the most there can be
        ProcurementSheetFactory(category=category) for category in Category.objects.all()[:count]
    ],
    VideoCapsule: VideoCapsuleFactory.create_batch,
    Event: EventFactory.create_batch,
    Registration: RegistrationFactory.create_batch,
    Meeting: meetings,
}

# The most queries a changelist of a full page may cost, whatever the model. Import runs,
# the busiest: session, user, network filter choices, filtered count, unfiltered count, the page
# of rows (networks and users joined), the date hierarchy's first/last date and its days.
# Enterprises: session, user, region and label filter choices, the two counts, the page.
# A related field read without list_select_related costs one query per row and fails at once.
CHANGELIST_MAX_QUERIES = 8

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OUR_APPS = {"enterprises", "purchases", "programs", "events"}
OURS = [(model, model_admin) for model, model_admin in REGISTERED
        if model._meta.app_label in OUR_APPS]


def admin_url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def fill_a_page(model):
    """Give the model a page of rows; only our own models must have a way to get them."""
    missing = PAGE_SIZE - model._default_manager.count()
    if missing > 0 and model in ROWS:
        ROWS[model](missing)
    if model._meta.app_label in OUR_APPS and not model._default_manager.exists():
        pytest.fail(f"{model._meta.label} has no rows: add a factory for it to ROWS.")


@pytest.fixture
def staff_request(staff_user):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_every_admin_page_answers_staff(
    model, model_admin, staff_client, staff_request, django_assert_max_num_queries
):
    fill_a_page(model)

    if model._meta.app_label in OUR_APPS | {"auth"}:
        with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
            changelist = staff_client.get(admin_url(model, "changelist"))
    else:
        changelist = staff_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model._default_manager.count()

    add = staff_client.get(admin_url(model, "add"), follow=True)  # some lead to their own flow
    assert add.status_code == (200 if model_admin.has_add_permission(staff_request) else 403)

    row = model._default_manager.first()
    if row is not None:
        assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200


def editable_relations(model, parent=None):
    """Foreign keys and plain many-to-many fields a form would show as a select."""
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete
        and field.editable
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        and not (field.many_to_many and not field.remote_field.through._meta.auto_created)
        and not (parent and field.related_model is parent and not field.many_to_many)
    }


@pytest.mark.parametrize(
    ("model", "model_admin"), OURS, ids=[model._meta.label for model, _ in OURS]
)
def test_every_related_field_of_our_admins_autocompletes(model, model_admin, rf):
    request = rf.get("/admin/")
    request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
    faces = [(model, model_admin, None)] + [
        (inline.model, inline(model, admin.site), model) for inline in model_admin.inlines
    ]
    for face_model, face, parent in faces:
        if not face.has_change_permission(request):
            continue  # a view-only page shows no select at all
        read_only = set(face.get_readonly_fields(request))
        selects = editable_relations(face_model, parent) - read_only - set(face.exclude or ())
        assert selects <= set(face.autocomplete_fields), face


@pytest.mark.parametrize(
    ("model", "model_admin"),
    [(model, model_admin) for model, model_admin in OURS if model_admin.fieldsets],
    ids=[model._meta.label for model, model_admin in OURS if model_admin.fieldsets],
)
def test_fieldsets_show_every_editable_field(model, model_admin):
    listed = set(admin.utils.flatten_fieldsets(model_admin.fieldsets))
    editable = {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and field.editable and not field.auto_created
        and not (field.many_to_many and not field.remote_field.through._meta.auto_created)
    }
    assert editable <= listed


@pytest.mark.django_db
def test_admin_is_french_by_default_and_english_under_en(staff_client):
    french = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert french.wsgi_request.LANGUAGE_CODE == "fr-ca"
    assert "Déconnexion" in french.content.decode()
    with translation.override("en"):
        english = staff_client.get(reverse("admin:index"))
    assert english.wsgi_request.path == "/en/admin/"
    assert "Log out" in english.content.decode()
