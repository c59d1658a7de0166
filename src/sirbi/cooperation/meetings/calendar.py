"""Meetings as iCalendar (RFC 5545): each meeting as a whole-day event over its days and each session as a
timed event in the meeting's time zone (with its VTIMEZONE), one file per meeting and one feed of all."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from sirbi.core.languages import text

PRODID = "-//SIRBI//Cooperation workspace//ES"


def _calendar(name):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _place(meeting):
    parts = [meeting.venue, meeting.city, meeting.country.name if meeting.country else ""]
    place = ", ".join(p for p in parts if p)
    return place or meeting.online_url


def _sample(text, is_sample):
    """Invented demonstration entries say so in every calendar they are imported into."""
    return f"{text} ({_('sample data')})" if is_sample else text


def _meeting_event(meeting, url, host):
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated)
    event.add("summary", _sample(str(meeting), meeting.is_sample))
    event.add("dtstart", meeting.start_date)
    event.add("dtend", meeting.end_date + timedelta(days=1))  # whole-day events end the day after
    if _place(meeting):
        event.add("location", vText(_place(meeting)))
    event.add("description", text(meeting, "description").text or str(meeting))
    event.add("url", url)
    return event


def _session_event(session, meeting, url, host):
    event = Event()
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("summary", _sample(f"{session} · {meeting}", session.is_sample or meeting.is_sample))
    event.add("dtstart", session.starts_at())
    event.add("dtend", session.ends_at())
    location = ", ".join(p for p in [session.room, _place(meeting)] if p)
    if location:
        event.add("location", vText(location))
    people = "; ".join(p for p in [session.speakers, session.moderators] if p)
    event.add("description", "\n".join(p for p in [session.get_kind_display(), people, session.description] if p))
    event.add("url", url)
    return event


def meetings_calendar(meetings, name, url_for, host):
    """An iCalendar (bytes) of these meetings (sessions prefetched); url_for(meeting) gives each one's page."""
    cal = _calendar(name)
    for meeting in meetings:
        url = url_for(meeting)
        cal.add_component(_meeting_event(meeting, url, host))
        for session in meeting.sessions.all():
            cal.add_component(_session_event(session, meeting, url, host))
    cal.add_missing_timezones()
    return cal.to_ical()
