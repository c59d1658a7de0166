"""The cooperation workspace's landing page: what each of its parts is for."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def index(request):
    parts = [
        ("cooperation:meetings", _("Meetings"),
         _("SIRBI's regional meetings: agendas, documents, agreements and registration.")),
        ("cooperation:calendar", _("Calendar"), _("Meetings and national activities month by month.")),
        ("cooperation:agenda", _("Regional agenda"), _("What the member countries' networks are doing, on a map.")),
        ("cooperation:roadmap", _("Roadmap"),
         _("The objectives agreed by the members and the progress of each action.")),
        ("cooperation:timeline", _("Timeline"), _("The roadmap's actions on a timeline.")),
        ("cooperation:groups", _("Working groups"),
         _("Groups of members working on one subject, with their documents.")),
        ("cooperation:questionnaires", _("Needs"), _("Questionnaires on the networks' needs and their answers.")),
        ("cooperation:alliances", _("Alliances"), _("Agreements with partner organisations.")),
        ("cooperation:practices", _("Good practices"), _("Programmes of the networks that others may learn from.")),
    ]
    return render(request, "core/landing.html", {
        "title": _("Cooperation"),
        "lead": _("The workspace where the member countries' networks plan and follow their joint work."),
        "parts": [{"url": reverse(name), "title": title, "text": text} for name, title, text in parts],
    })
