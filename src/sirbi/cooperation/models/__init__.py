"""The cooperation workspace's data: partners, meetings (sessions, participants, documents, agreements) and
the roadmap (lines, objectives, actions, milestones, progress reports)."""

from .meetings import Agreement, Document, DocumentVersion, Meeting, Participant, Session
from .partners import NeedArea, Partner
from .roadmap import Action, ActionIndicator, Line, Milestone, Objective, ProgressReport

__all__ = [
    "Action", "ActionIndicator", "Agreement", "Document", "DocumentVersion", "Line", "Meeting", "Milestone",
    "NeedArea", "Objective", "Participant", "Partner", "ProgressReport", "Session",
]
