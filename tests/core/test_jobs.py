"""Background jobs: queued in the database, run by `sirbi worker`, progress stored, stale ones taken again."""

import time
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from sirbi.core import jobs
from sirbi.core.models import Job

CALLS = []


@jobs.job_kind("tests.count")
def count_job(*, progress, job_id, upto, fail=False):
    for n in range(upto):
        progress(n + 1, upto, "counting")
    CALLS.append(upto)
    if fail:
        raise ValueError("the job met a bad value")
    return {"counted": upto}


def test_the_worker_runs_a_queued_job_and_stores_its_result(settings):
    settings.JOBS_EAGER = False
    job = jobs.enqueue("tests.count", {"upto": 3})
    assert job.status == Job.Status.QUEUED
    call_command("worker", once=True, stdout=open("/dev/null", "w"))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"counted": 3}
    assert job.done == 3 and job.total == 3 and job.percent == 100 and job.attempts == 1


def test_a_failing_job_records_why():
    job = jobs.enqueue("tests.count", {"upto": 1, "fail": True})
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "bad value" in job.error


def test_a_job_whose_worker_died_runs_again():
    job = Job.objects.create(kind="tests.count", params={"upto": 2}, status=Job.Status.RUNNING, attempts=1,
                             heartbeat=timezone.now() - timedelta(hours=1))
    assert jobs.requeue_stale() == 1
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2


def test_a_running_worker_takes_again_a_job_whose_worker_died(settings):
    """Not only at its start: a job left 'running' by a worker that died while this one was already waiting."""
    settings.JOB_STALE_SECONDS = 3
    story = {"turns": 0}

    def observer():  # called by the worker before each look at the queue
        story["turns"] += 1
        if story["turns"] == 3:  # the worker has been waiting a while: another worker dies with Ana's import
            story["job"] = Job.objects.create(kind="tests.count", params={"upto": 2}, status=Job.Status.RUNNING,
                                              attempts=1, heartbeat=timezone.now() - timedelta(hours=1))
            story["deadline"] = time.monotonic() + 15
        if "job" not in story:
            return False
        story["job"].refresh_from_db()
        return story["job"].status == Job.Status.DONE or time.monotonic() > story["deadline"]

    jobs.work(poll=0.05, stop=observer)
    job = story["job"]
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.result == {"counted": 2}


def test_a_job_whose_workers_all_died_fails_with_the_reason(settings):
    job = Job.objects.create(kind="tests.count", params={"upto": 2}, status=Job.Status.RUNNING,
                             attempts=jobs.MAX_ATTEMPTS, heartbeat=timezone.now() - timedelta(hours=1))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "every attempt" in job.error


def test_a_job_with_a_fresh_heartbeat_is_left_to_its_worker(settings):
    job = Job.objects.create(kind="tests.count", params={"upto": 2}, status=Job.Status.RUNNING, attempts=1,
                             heartbeat=timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS - 60))
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1


def test_the_status_page_shows_progress_to_its_owner_only(as_user, coordinator_pe, coordinator_cl):
    job = jobs.enqueue("tests.count", {"upto": 2}, user=coordinator_pe)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=1, total=4)
    page = as_user(coordinator_pe).get(f"/en/platform/jobs/{job.pk}/")
    assert page.status_code == 200 and 'value="25"' in page.content.decode()
    assert as_user(coordinator_cl).get(f"/en/platform/jobs/{job.pk}/").status_code == 403


@jobs.job_kind("tests.overtaken")
def overtaken_job(*, progress, job_id, report):
    """A run whose worker looked dead: meanwhile another worker took the job again and finished it."""
    Job.objects.filter(pk=job_id).update(attempts=2, status=Job.Status.DONE, result={"by": "the new attempt"})
    if report:
        progress(1, 2, "late")
        CALLS.append("went on after losing the job")
    return {"by": "the stale run"}


def test_a_stale_run_cannot_overwrite_the_new_attempts_result():
    job = jobs.enqueue("tests.overtaken", {"report": False})
    jobs.work(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"by": "the new attempt"} and job.attempts == 2


def test_progress_from_a_stale_run_stops_it():
    CALLS.clear()
    job = jobs.enqueue("tests.overtaken", {"report": True})
    jobs.work(once=True)
    job.refresh_from_db()
    assert CALLS == []
    assert job.status == Job.Status.DONE and job.result == {"by": "the new attempt"} and job.error == ""
    assert job.done == 0 and job.stage != "late"


def test_a_job_reads_by_its_kinds_name_in_the_readers_language(as_user, secretary):
    from sirbi.registry.imports.jobs import KIND

    job = Job.objects.create(kind=KIND, params={}, created_by=secretary)
    client = as_user(secretary)
    for language, name in (("es", "Importación de bibliotecas"), ("en", "Library import")):
        assert name in client.get(f"/{language}/platform/jobs/{job.pk}/").content.decode()
        listed = client.get(f"/{language}/platform/jobs/").content.decode()
        assert f"<td>{name}</td>" in listed and KIND not in listed
