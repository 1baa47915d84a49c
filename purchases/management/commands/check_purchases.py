"""Look for half-saved purchases, e.g. after the database went away under load."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from purchases.models import Purchase, PurchaseSummary

SUMMARY_FIELDS = [
    "year", "region", "member_kind", "contract_size_bracket", "sector", "category",
    "purchase_count", "total_amount",
]


def summary_rows():
    return sorted(PurchaseSummary.objects.values_list(*SUMMARY_FIELDS), key=str)


def summary_matches_a_recount():
    """Recount the whole summary in a transaction that is rolled back, and compare."""
    with transaction.atomic():
        kept = summary_rows()
        PurchaseSummary.objects.rebuild()
        recounted = summary_rows()
        transaction.set_rollback(True)
    return kept == recounted


def out_of_step_with_history(since):
    """Purchases changed since then whose latest history record is missing or differs."""
    latest = Purchase.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return (
        Purchase.objects.filter(updated_at__gte=since)
        .annotate(
            recorded_status=Subquery(latest.values("status")[:1]),
            recorded_amount=Subquery(latest.values("amount")[:1]),
        )
        .filter(
            Q(recorded_status__isnull=True)
            | ~Q(recorded_status=F("status"))
            | ~Q(recorded_amount=F("amount"))
        )
    )


class Command(BaseCommand):
    help = _(
        "Check that no purchase is half-saved: the repertory's summary matches a recount, "
        "every purchase has its contract size, and (with --since) every purchase changed "
        "since then has a matching history record. Exits with 1 if one check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            help=_("ISO date and time, e.g. 2026-11-26T15:00:00Z."),
        )

    def handle(self, *args, **options):
        since = None
        if options["since"]:
            since = parse_datetime(options["since"])
            if since is None or since.tzinfo is None:
                raise CommandError(
                    _("--since must be an ISO date and time with its zone, got %(value)r.")
                    % {"value": options["since"]}
                )
        problems = []
        if not summary_matches_a_recount():
            problems.append(_("the repertory's summary differs from a recount of the purchases"))
        unclassed = Purchase.objects.filter(contract_size_bracket="").count()
        if unclassed:
            problems.append(_("%(count)d purchases have no contract size") % {"count": unclassed})
        if since is not None:
            changed = Purchase.objects.filter(updated_at__gte=since).count()
            stray = out_of_step_with_history(since).count()
            self.stdout.write(
                _("%(count)d purchases changed since %(since)s.")
                % {"count": changed, "since": since.isoformat()}
            )
            if stray:
                problems.append(
                    _("%(count)d purchases changed since then have no matching history record")
                    % {"count": stray}
                )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS(
            _("%(count)d purchases checked: none is half-saved.")
            % {"count": Purchase.objects.count()}
        ))
