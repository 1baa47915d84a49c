"""Merging two entries that describe one enterprise: everything that points at the duplicate
moves to the survivor, the duplicate is deleted, and its slug keeps leading to the survivor.

Other apps' rows (purchases, registrations, capsules...) are found through the model's
relations, not imported: this app imports no other app of ours. Each row is saved on its own,
so that the signals and history other apps keep on their rows follow the move.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import (
    Enterprise,
    EnterpriseLabel,
    EnterpriseRedirect,
    EnterpriseSource,
    ImportReviewItem,
)

# Bookkeeping the merge sets itself, or never copies from the duplicate.
NOT_FILLED = {"id", "slug", "name_folded", "neq_checksum_failed", "status", "published_at",
              "curated_fields", "field_origins", "created_at", "updated_at"}
# Relations merge_enterprises() moves by their own rules before the generic walk.
HANDLED = {EnterpriseSource, EnterpriseLabel, EnterpriseRedirect}


def is_empty(value):
    return value is None or value == ""


@transaction.atomic
def merge_enterprises(survivor, duplicate, user=None):
    """Merge ``duplicate`` into ``survivor`` and return the survivor, saved.

    The survivor keeps its own values and takes the duplicate's where its own are empty;
    links (sectors, categories, regions and MRCs served, labels) are united. Of two sources in one
    network, the one seen last is kept: it is the record that network sends now. A published
    duplicate publishes the survivor, so that its old address still shows the enterprise.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("An enterprise cannot be merged into itself."))
    # Locked in a fixed order, so that two curators merging the same pair cannot deadlock.
    locked = Enterprise.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
    locked = {enterprise.pk: enterprise for enterprise in locked.order_by("pk")}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    dropped = move_sources(survivor, duplicate)
    move_labels(survivor, duplicate)
    for name in ("sectors", "categories", "service_area", "mrcs_served"):
        getattr(survivor, name).add(*getattr(duplicate, name).all())
    resolve_reviews_of_pair(survivor, duplicate)
    move_related_rows(survivor, duplicate, user)
    EnterpriseRedirect.objects.filter(enterprise=duplicate).update(enterprise=survivor)
    filled = fill_empty_fields(survivor, duplicate)
    slug, name = duplicate.slug, duplicate.name
    duplicate._history_user = user
    duplicate._change_reason = change_reason(_("Merged into %(name)s") % {"name": survivor.name})
    duplicate.delete()
    EnterpriseRedirect.objects.filter(old_slug=survivor.slug).delete()
    EnterpriseRedirect.objects.update_or_create(old_slug=slug, defaults={"enterprise": survivor})
    survivor._history_user = user
    survivor._change_reason = change_reason(_(
        "Merged %(name)s into it; sources dropped: %(sources)s; filled: %(fields)s"
    ) % {
        "name": name, "fields": ", ".join(filled) or "-",
        "sources": ", ".join(dropped) or "-",
    })
    survivor.save()
    return survivor


def change_reason(text):
    """The text cut to what the history's reason column holds (PostgreSQL refuses more)."""
    limit = Enterprise.history.model._meta.get_field("history_change_reason").max_length
    return text if len(text) <= limit else text[:limit - 1] + "…"


def move_sources(survivor, duplicate):
    """One source per network: a network that describes both keeps the record seen last.
    Returns the records dropped, as "network: record id", for the history."""
    kept = {source.network_id: source for source in survivor.sources.select_related("network")}
    dropped = []
    for source in duplicate.sources.select_related("network"):
        mine = kept.get(source.network_id)
        if mine is not None:
            older = source if mine.last_seen_at >= source.last_seen_at else mine
            dropped.append(f"{older.network}: {older.external_id}")
            older.delete()
            if older is source:
                continue
        source.enterprise = survivor
        source.save(update_fields=["enterprise"])
    return dropped


def move_labels(survivor, duplicate):
    """A label both hold keeps the survivor's award (date, issuer), filled from the other."""
    held = {award.label_id: award for award in survivor.label_awards.all()}
    for award in duplicate.label_awards.all():
        mine = held.get(award.label_id)
        if mine is None:
            award.enterprise = survivor
            award.save(update_fields=["enterprise"])
            continue
        mine.awarded_on = mine.awarded_on or award.awarded_on
        mine.issuer = mine.issuer or award.issuer
        mine.save(update_fields=["awarded_on", "issuer"])
        award.delete()


def relations_to_move():
    """Every relation to Enterprise from another table, this app's and other apps', except
    history records (they stay as they were) and views kept by the database itself."""
    for relation in Enterprise._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if (model in HANDLED or model._meta.auto_created or not model._meta.managed
                or hasattr(model, "instance_type")):
            continue
        if relation.many_to_many and relation.field.model is Enterprise:
            continue  # sectors, categories, regions served: united above
        yield relation


def move_related_rows(survivor, duplicate, user):
    for relation in relations_to_move():
        field = relation.field
        if relation.many_to_many:
            for obj in relation.related_model._default_manager.filter(**{field.name: duplicate}):
                links = getattr(obj, field.name)
                links.add(survivor)
                links.remove(duplicate)
            continue
        for obj in relation.related_model._default_manager.filter(**{field.name: duplicate}):
            setattr(obj, field.name, survivor)
            obj._history_user = user  # the row's own history, when it keeps one, says who
            try:
                with transaction.atomic():
                    obj.save(update_fields=[field.name])
            except IntegrityError as error:
                raise ValidationError(
                    _("%(model)s « %(row)s » cannot move to %(survivor)s: %(error)s") % {
                        "model": relation.related_model._meta.verbose_name, "row": obj,
                        "survivor": survivor, "error": error,
                    }
                ) from error


def resolve_reviews_of_pair(survivor, duplicate):
    """The "possible duplicate" items that paired these two are answered by the merge."""
    for one, other in ((survivor, duplicate), (duplicate, survivor)):
        for item in ImportReviewItem.objects.filter(
            kind=ImportReviewItem.Kind.POSSIBLE_DUPLICATE, state=ImportReviewItem.State.OPEN,
            enterprise=one, candidates=other,
        ):
            item.enterprise = survivor
            item.resolve()


def fill_empty_fields(survivor, duplicate):
    """Copy the duplicate's values into the survivor's empty fields; return their names."""
    filled = []
    for field in Enterprise._meta.concrete_fields:
        if field.name in NOT_FILLED or field.primary_key:
            continue
        if is_empty(getattr(survivor, field.attname)) and not is_empty(
            getattr(duplicate, field.attname)
        ):
            setattr(survivor, field.attname, getattr(duplicate, field.attname))
            filled.append(field.name)
    survivor.curated_fields = sorted(set(survivor.curated_fields) | set(duplicate.curated_fields))
    survivor.field_origins = {**duplicate.field_origins, **survivor.field_origins}
    if duplicate.status == Enterprise.Status.PUBLISHED and survivor.region_id:
        survivor.status = Enterprise.Status.PUBLISHED
    return filled


def not_a_duplicate(item):
    """The curator says the enterprises this item named are different ones."""
    item.resolve()


def merge_review_item(item, survivor, user=None):
    """Merge the enterprise a "possible duplicate" item is about into one of its candidates."""
    if not item.candidates.filter(pk=survivor.pk).exists():
        raise ValidationError(_("This enterprise is not one of the item's possible matches."))
    return merge_enterprises(survivor, item.enterprise, user=user)

