"""Background jobs: a queue in the database that works on SQLite and PostgreSQL alike.

A job kind is a plain function registered with `@job_kind("name")`; it receives its parameters and a
`progress(done, total, stage)` callback. `enqueue` stores a job; `sirbi worker` claims and runs them.
A job whose worker died (no heartbeat for JOB_STALE_SECONDS) is queued again and runs from the start:
job functions are written so that a re-run is safe (imports are all-or-nothing).
"""

import logging
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
KINDS = {}
MAX_ATTEMPTS = 3


def job_kind(name):
    def register(function):
        KINDS[name] = function
        return function

    return register


def enqueue(kind, params, *, user=None):
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, created_by=user if user and user.is_authenticated else None)
    if settings.JOBS_EAGER:
        run(job)
        job.refresh_from_db()
    return job


class Progress:
    """Writes a job's progress to the database, at most a few times a second."""

    def __init__(self, job, interval=0.5):
        self.job = job
        self.interval = interval
        self.last = 0.0

    def __call__(self, done, total=None, stage=None):
        now = time.monotonic()
        if now - self.last < self.interval and (total is None or done < total):
            return
        self.last = now
        fields = {"done": done, "heartbeat": timezone.now()}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = str(stage)[:100]
        Job.objects.filter(pk=self.job.pk).update(**fields)


def run(job):
    """Run one claimed (or eager) job to its end, storing its result or its error."""
    function = KINDS[job.kind]
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started=timezone.now(), heartbeat=timezone.now(), attempts=job.attempts + 1
    )
    try:
        result = function(progress=Progress(job), job_id=job.pk, **job.params)
    except Exception as exc:  # the job failed; record why and go on with the next one
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished=timezone.now(),
            error=f"{exc}\n\n{traceback.format_exc(limit=5)}"[:10000],
        )
        return False
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished=timezone.now(), result=result or {})
    return True


def requeue_stale():
    """Jobs left 'running' by a worker that stopped: queue them again, or fail them after MAX_ATTEMPTS."""
    limit = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat__lt=limit)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Job.Status.FAILED, finished=timezone.now(), error="the worker stopped during every attempt"
    )
    return stale.update(status=Job.Status.QUEUED)


def claim_next():
    """Take the oldest queued job; the conditional update makes two workers never take the same one."""
    for job in Job.objects.filter(status=Job.Status.QUEUED).order_by("created")[:5]:
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, heartbeat=timezone.now()
        ):
            job.refresh_from_db()
            return job
    return None


def work(*, once=False, poll=1.0):
    requeue_stale()
    while True:
        if not connection.in_atomic_block:  # (tests run the worker inside their transaction)
            close_old_connections()
        job = claim_next()
        if job is not None:
            run(job)
        elif once:
            return
        else:
            time.sleep(poll)
