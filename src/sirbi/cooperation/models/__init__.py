"""The cooperation workspace's data: partners, meetings (sessions, participants, documents, agreements) and
the roadmap (lines, objectives, actions, milestones, progress reports)."""

from .agenda import Activity
from .alliances import AgreementScope, GoodPractice, PartnershipAgreement
from .groups import GroupMembership, Post, Topic, WorkingGroup
from .meetings import Agreement, Document, DocumentVersion, Meeting, Participant, Session
from .needs import Answer, Choice, Question, Questionnaire, Response, Section
from .partners import NeedArea, Partner
from .roadmap import Action, ActionIndicator, Line, Milestone, Objective, ProgressReport

__all__ = [
    "Activity", "Action", "ActionIndicator", "Agreement", "AgreementScope", "Answer", "Choice", "Document",
    "DocumentVersion", "GoodPractice", "GroupMembership", "Line", "Meeting", "Milestone", "NeedArea",
    "Objective", "Participant", "Partner", "PartnershipAgreement", "Post", "ProgressReport", "Question",
    "Questionnaire", "Response", "Section", "Session", "Topic", "WorkingGroup",
]
