from django import template

from sirbi.core import permissions

register = template.Library()


@register.filter
def may_request_loans(user):
    """Does `user` act for some library (its staff) or everywhere (the secretariat)? The "request by interlibrary
    loan" button shows for them only."""
    from sirbi.loans.models import LoanRequest

    return permissions.can_any(user, "add", LoanRequest)


@register.filter
def step_words(name):
    """A timeline step in words (its code, when the standard's, is shown beside by the template)."""
    from sirbi.loans.choices import step_label

    return step_label(name)[0]


@register.filter
def standard_step(name):
    from sirbi.loans.choices import step_label

    return step_label(name)[1]


@register.filter
def reason_words(code):
    """A reason (ReasonUnfilled, ReasonRetry) or a loan condition of the standard in words, or its code."""
    from sirbi.loans.choices import LOAN_CONDITION_LABELS, REASON_UNFILLED_LABELS

    return REASON_UNFILLED_LABELS.get(code) or LOAN_CONDITION_LABELS.get(code) or code
