"""The people a step concerns hear of it through the notifications they already receive (an e-mail now, the weekly
digest, or their page only): the staff of the library that must act or whose request moved, never the staff of
the other libraries; a refused step tells nobody."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import translation

from sirbi.core.models import Notification, NotificationSetting
from sirbi.loans import services
from sirbi.loans.iso18626.codes import Action, ReasonForMessage, Status
from sirbi.loans.iso18626.requester import Step


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """Run a step and return {username: [subjects]} of the notices it caused."""
    def run(call, *args, **kwargs):
        before = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            result = call(*args, **kwargs)
        notices = {}
        for notice in Notification.objects.exclude(pk__in=before).select_related("user"):
            notices.setdefault(notice.user.username, []).append(notice.subject)
        run.result = result
        return notices
    return run


@pytest.fixture
def loan(librarian_lima, lima_library, novel, santiago_library, librarian_santiago, librarian_montevideo):
    loan = services.open_request(librarian_lima, lima_library, cluster=novel, title="Cien años de soledad")
    services.set_rota(librarian_lima, loan, [santiago_library.pk])
    return loan


def test_each_step_tells_the_library_that_must_act(told, loan, librarian_lima, librarian_santiago):
    notices = told(services.act, loan, Step.SEND, user=librarian_lima)
    assert notices == {"librarian_santiago": ["A request waits for your answer: Cien años de soledad"]}
    assert mail.outbox[-1].to == [librarian_santiago.email]
    notices = told(services.respond, loan, Status.WILL_SUPPLY, user=librarian_santiago,
                   loan_condition="LibraryUseOnly")
    assert notices == {"librarian_lima": ["A condition to answer: Cien años de soledad"]}
    assert told(services.act, loan, Step.ACCEPT, user=librarian_lima) == {}
    notices = told(services.respond, loan, Status.LOANED, user=librarian_santiago)
    assert notices == {"librarian_lima": ["Shipped to you: Cien años de soledad"]}
    told(services.act, loan, Action.RECEIVED, user=librarian_lima)
    told(services.act, loan, Action.RENEW, user=librarian_lima)
    notices = told(services.respond, loan, Status.LOANED, user=librarian_santiago,
                   reason_for_message=ReasonForMessage.RENEW_RESPONSE, answer="Y",
                   due_date=datetime.date(2027, 3, 1))
    assert notices == {"librarian_lima": ["Renewal granted: Cien años de soledad"]}
    notices = told(services.respond, loan, Status.RECALLED, user=librarian_santiago)
    assert notices == {"librarian_lima": ["Recalled by the lender: Cien años de soledad"]}


def test_a_refused_step_tells_nobody(told, loan, librarian_montevideo):
    with pytest.raises(PermissionDenied):
        told(services.act, loan, Step.SEND, user=librarian_montevideo)
    assert not Notification.objects.exists()


def test_ill_tick_reminds_of_due_dates_and_overdue_loans(told, loan, librarian_lima, librarian_santiago):
    told(services.act, loan, Step.SEND, user=librarian_lima)
    today = datetime.date.today()
    told(services.respond, loan, Status.LOANED, user=librarian_santiago, due_date=today + datetime.timedelta(days=2))
    notices = told(call_command, "ill_tick", stdout=open("/dev/null", "w"))
    assert notices == {"librarian_lima": ["Due back soon: Cien años de soledad"]}
    assert told(call_command, "ill_tick", stdout=open("/dev/null", "w")) == {}  # once per due date
    loan.refresh_from_db()
    loan.due_date = today - datetime.timedelta(days=1)
    loan.save()
    notices = told(call_command, "ill_tick", stdout=open("/dev/null", "w"))
    assert notices == {"librarian_lima": ["Overdue: Cien años de soledad"]}


def test_each_person_hears_as_they_chose(told, loan, librarian_lima, librarian_santiago):
    NotificationSetting.objects.create(user=librarian_santiago, frequency=NotificationSetting.Frequency.WEEKLY)
    mail.outbox.clear()
    assert told(services.act, loan, Step.SEND, user=librarian_lima) == {
        "librarian_santiago": ["A request waits for your answer: Cien años de soledad"]}
    assert mail.outbox == []  # kept for the weekly digest
    assert Notification.objects.get(user=librarian_santiago).emailed is None


def test_the_lender_is_told_what_waits_for_it(told, loan, librarian_lima, librarian_santiago):
    told(services.act, loan, Step.SEND, user=librarian_lima)
    told(services.respond, loan, Status.LOANED, user=librarian_santiago)
    told(services.act, loan, Action.RECEIVED, user=librarian_lima)
    notices = told(services.act, loan, Action.SHIPPED_RETURN, user=librarian_lima)
    assert notices == {"librarian_santiago": ["Shipped back to you: Cien años de soledad"]}


def test_a_cancellation_waits_for_the_lender(told, loan, librarian_lima):
    told(services.act, loan, Step.SEND, user=librarian_lima)
    notices = told(services.act, loan, Action.CANCEL, user=librarian_lima)
    assert notices == {"librarian_santiago": ["A cancellation to answer: Cien años de soledad"]}
