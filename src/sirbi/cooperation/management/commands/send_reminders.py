"""`sirbi send_reminders [--dry-run]`: e-mail the coordinators of the lead countries of overdue roadmap
actions and milestones, and of the signatory countries of partnership agreements that expire within 60 days,
one message per country listing all of its items. Run it daily (cron or a systemd
timer); it sends again each day until the action is done, its date moved or the milestone marked done."""

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from sirbi.cooperation import notify
from sirbi.cooperation.alliances import services as alliances
from sirbi.cooperation.roadmap import services as roadmap


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
            for agreement in alliances.expiring():
                line = _("- agreement %(agreement)s expires on %(end)s %(url)s") % {
                    "agreement": agreement, "end": agreement.ends, "url": self._url(agreement)}
                for country in sorted({n.country.code for n in agreement.networks.all()}):
                    lines[country].append(line)
            sent = 0
            for country, items in sorted(lines.items()):
                recipients = list(notify.coordinators_of([country]))
                subject = _("SIRBI: %(n)s items of %(country)s need attention") % {"n": len(items),
                                                                                    "country": country}
                body = _("These items of your country need attention:") + "\n\n" + "\n".join(items) + \
                    "\n\n" + _("Report progress, mark the milestones done, renew the agreements or agree new dates "
                                 "with the secretariat.")
                if dry_run:
                    self.stdout.write(f"To {', '.join(u.email for u in recipients) or '(nobody)'}: {subject}\n{body}\n")
                else:
                    sent += notify.send(recipients, subject, body)
            self.stdout.write(f"{len(actions)} overdue actions, {len(milestones)} overdue milestones, "
                              f"{alliances.expiring().count()} expiring agreements, "
                              f"{len(lines)} countries, {sent} messages sent.")

    @staticmethod
    def _url(obj):
        return settings.SITE_URL.rstrip("/") + obj.get_absolute_url()
