from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from enterprise_accounts.tasks import send_profile_reminders


class Command(BaseCommand):
    # gettext, not gettext_lazy: argparse formats the help with re, which a lazy string breaks.
    help = _("Queue the yearly reminder to the enterprises whose profile is due (run daily by "
             "cron; a second run the same day sends nothing).")

    def handle(self, *args, **options):
        result = send_profile_reminders.enqueue()
        self.stdout.write(str(_("Reminders queued for the task worker (task %(id)s).")
                              % {"id": result.id}))
