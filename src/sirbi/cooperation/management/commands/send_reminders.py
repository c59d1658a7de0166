"""`sirbi send_reminders [--dry-run]`: e-mail the coordinators of the lead countries of overdue roadmap
actions and milestones, one message per person listing all of theirs. Run it daily (cron or a systemd
timer); it sends again each day until the action is done, its date moved or the milestone marked done."""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sirbi.cooperation import notify, roadmap


class Command(BaseCommand):
    help = "E-mail the coordinators of overdue roadmap actions and milestones."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the messages instead of sending them")

    def handle(self, *args, dry_run=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            actions, milestones = roadmap.overdue()
            lines = defaultdict(list)
            for action in actions:
                lines[action.lead_country.code].append(_("- %(action)s: ended on %(end)s (%(progress)s %%) %(url)s")
                                                       % {"action": action, "end": action.end,
                                                          "progress": action.progress, "url": self._url(action)})
            for milestone in milestones:
                action = milestone.action
                lines[action.lead_country.code].append(
                    _("- %(milestone)s (%(action)s): due on %(due)s %(url)s")
                    % {"milestone": milestone, "action": action, "due": milestone.due, "url": self._url(action)})
            sent = 0
            for country, items in sorted(lines.items()):
                recipients = list(notify.coordinators_of([country]))
                subject = _("SIRBI roadmap: %(n)s overdue items of %(country)s") % {"n": len(items),
                                                                                     "country": country}
                body = _("These roadmap items your country leads are overdue:") + "\n\n" + "\n".join(items) + \
                    "\n\n" + _("Report progress, mark the milestones done or agree new dates with the secretariat.")
                if dry_run:
                    self.stdout.write(f"To {', '.join(u.email for u in recipients) or '(nobody)'}: {subject}\n{body}\n")
                else:
                    sent += notify.send(recipients, subject, body)
            self.stdout.write(f"{len(actions)} overdue actions, {len(milestones)} overdue milestones, "
                              f"{len(lines)} countries, {sent} messages sent.")

    @staticmethod
    def _url(action):
        return settings.SITE_URL.rstrip("/") + reverse("cooperation:action", args=[action.code])
