from django import template

from sirbi.core import permissions

register = template.Library()


@register.filter
def may_request_loans(user):
    """Does `user` act for some library (its staff) or everywhere (the secretariat)? The "request by interlibrary
    loan" button shows for them only."""
    from sirbi.loans.models import LoanRequest

    return permissions.can_any(user, "add", LoanRequest)
