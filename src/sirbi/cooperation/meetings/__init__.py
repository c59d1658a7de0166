"""Meetings: registration with a waiting list, documents and their versions, agreements that become roadmap
actions (services), their pages (views) and iCalendar files (calendar)."""
