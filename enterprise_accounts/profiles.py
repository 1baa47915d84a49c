"""How an enterprise's own people change its profile, and how staff review what they propose.

Three kinds of fields: those that go live at once (classification, size and social-impact
facts: chosen from lists or counted), the public text that waits for staff unless the
enterprise is trusted, and the identity that only staff may change, on request.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.imports.diff import ENTERPRISE_ORIGIN
from enterprises.models import Enterprise

from .mail import send_to
from .models import ChangeRequest, EnterpriseAccount

# Where the enterprise is based (its MRC, its region) follows from its municipality, which staff
# keep: the portal offers the MRCs it serves instead, never a location it would overwrite.
DIRECT_FIELDS = (
    "categories", "sectors", "service_area", "mrcs_served", "employee_band", "year_founded",
    "integration_workers", "employees_with_disabilities",
)
REVIEWED_FIELDS = (
    "description_fr", "description_en", "address", "city", "postal_code", "phone", "email",
    "website",
)
IDENTITY_FIELDS = ("name", "neq", "legal_form", "labels")
EDITABLE_FIELDS = DIRECT_FIELDS + REVIEWED_FIELDS


def field_value(enterprise, name):
    """A field's value as a change request keeps it: related objects as sorted ids."""
    field = Enterprise._meta.get_field(name)
    if field.many_to_many:
        return sorted(getattr(enterprise, name).values_list("pk", flat=True))
    return getattr(enterprise, field.attname)


def form_values(form, names):
    """A validated model form's values in the same shape as ``field_value``: as the model
    normalized them on its instance (an NEQ's or a phone's spaces gone), related objects as
    ids."""
    values = {}
    for name in names:
        field = Enterprise._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(item.pk for item in form.cleaned_data[name])
        else:
            values[name] = getattr(form.instance, field.attname)
    return values


def is_trusted(enterprise):
    return EnterpriseAccount.objects.filter(enterprise=enterprise, trusted=True).exists()


def apply_values(enterprise, values, reason):
    """Write the values, mark each field as set by the enterprise (the import's source ranking
    places that origin above networks and below curators), and record the history."""
    stamp = timezone.now().isoformat()
    origins = dict(enterprise.field_origins)
    for name, value in values.items():
        field = Enterprise._meta.get_field(name)
        if field.many_to_many:
            if name == "labels":
                getattr(enterprise, name).set(value, through_defaults={})
            else:
                getattr(enterprise, name).set(value)
        else:
            setattr(enterprise, field.attname, value)
        origins[name] = [ENTERPRISE_ORIGIN, stamp]
    enterprise.field_origins = origins
    enterprise._change_reason = str(reason)
    # Saving bumps the directory's revision, so cached pages show the change.
    enterprise.save()


def confirm(enterprise):
    """One of its people says the profile is up to date (or has just saved it)."""
    enterprise.confirmed_on = timezone.localdate()
    enterprise._change_reason = str(_("Confirmed by the enterprise"))
    enterprise.save()


@transaction.atomic
def submit_profile(enterprise, user, values):
    """Take what the portal's form holds: the changed fields that go live at once are
    written, the changed public text waits in a change request (live at once too for a
    trusted enterprise). Returns ``(fields written, change request or None)``."""
    changed = {name: value for name, value in values.items()
               if value != field_value(enterprise, name)}
    direct = {name: value for name, value in changed.items() if name in DIRECT_FIELDS}
    reviewed = {name: value for name, value in changed.items() if name in REVIEWED_FIELDS}
    reason = _("Edited by the enterprise (%(user)s)") % {"user": user.get_username()}
    request = None
    if reviewed:
        trusted = is_trusted(enterprise)
        supersede(enterprise, reviewed)
        request = ChangeRequest.objects.create(
            enterprise=enterprise, submitted_by=user, changes=reviewed,
            previous={name: field_value(enterprise, name) for name in reviewed},
            state=ChangeRequest.State.APPLIED if trusted else ChangeRequest.State.PENDING,
        )
        if trusted:
            direct |= reviewed
    enterprise.confirmed_on = timezone.localdate()
    apply_values(enterprise, direct, reason)
    return sorted(direct), request


def supersede(enterprise, fields):
    """A new proposal for a field replaces the one still waiting: staff review only the
    latest, and approving an older one can never undo it."""
    for pending in enterprise.change_requests.pending().select_for_update():
        remaining = {name: value for name, value in pending.changes.items() if name not in fields}
        if remaining == pending.changes:
            continue
        if remaining:
            pending.changes = remaining
            pending.save(update_fields=["changes"])
        else:
            pending.delete()


def request_identity_change(enterprise, user, values, note):
    """Name, NEQ, legal form and labels change only once staff approve, trusted or not."""
    changed = {name: value for name, value in values.items()
               if value != field_value(enterprise, name)}
    if not changed:
        return None
    return ChangeRequest.objects.create(
        enterprise=enterprise, submitted_by=user, changes=changed, note=note,
        previous={name: field_value(enterprise, name) for name in changed},
    )


def still_live(change_request):
    """The fields of a trusted enterprise's live change that still show its value. The others
    were replaced since (a newer change, staff, an import): approving or refusing this change
    leaves them as they are, so a decision on an older change never brings back an outdated
    value."""
    enterprise = change_request.enterprise
    return {name for name, value in change_request.changes.items()
            if field_value(enterprise, name) == value}


@transaction.atomic
def approve(change_request, staff, values=None):
    """Make the proposed values (or those staff corrected) live, and tell whoever proposed."""
    values = change_request.changes if values is None else values
    if change_request.state == ChangeRequest.State.APPLIED:
        live = still_live(change_request)
        values = {name: value for name, value in values.items() if name in live}
    if values:
        apply_values(
            change_request.enterprise, values,
            _("Change request %(pk)s approved by %(user)s")
            % {"pk": change_request.pk, "user": staff.get_username()},
        )
    change_request.changes = {**change_request.changes, **values}
    change_request.decide(staff, ChangeRequest.State.APPROVED)
    notify_submitter(change_request, "approved")


@transaction.atomic
def refuse(change_request, staff, reason):
    """Refuse with a reason, e-mailed. A trusted enterprise's change, already live, is undone
    where it still shows; where a newer change replaced it, that newer change now undoes to
    the value from before the refused one, never to the refused value."""
    if change_request.state == ChangeRequest.State.APPLIED:
        live = still_live(change_request)
        if live:
            apply_values(
                change_request.enterprise,
                {name: change_request.previous[name] for name in live},
                _("Change request %(pk)s refused by %(user)s")
                % {"pk": change_request.pk, "user": staff.get_username()},
            )
        hand_back_previous(change_request, set(change_request.changes) - live)
    change_request.decide(staff, ChangeRequest.State.REFUSED, reason)
    notify_submitter(change_request, "refused")


def hand_back_previous(refused, fields):
    """For each field, the next undecided change after ``refused`` now starts from the value
    before ``refused``: its diff and its own undo skip the refused value."""
    later = refused.enterprise.change_requests.filter(
        decided_at__isnull=True, created_at__gt=refused.created_at,
    ).order_by("created_at").select_for_update()
    for change_request in later:
        taken = fields & set(change_request.changes)
        if taken:
            change_request.previous = {**change_request.previous,
                                       **{name: refused.previous[name] for name in taken}}
            change_request.save(update_fields=["previous"])
            fields -= taken


def notify_submitter(change_request, outcome):
    user = change_request.submitted_by
    if user is None or not user.email:
        return
    membership = user.enterprise_memberships.filter(enterprise=change_request.enterprise).first()
    language = membership.language if membership else "fr"
    send_to(user.email, language, f"change_{outcome}", {"change_request": change_request})
