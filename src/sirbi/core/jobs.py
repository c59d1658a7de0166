"""Background jobs: a queue in the database that works on SQLite and PostgreSQL alike.

A job kind is a plain function registered with `@job_kind("name")`; it receives its parameters and a
`progress(done, total, stage)` callback. `enqueue` stores a job (or, with JOBS_EAGER, runs it at once);
`sirbi worker` claims and runs them. While a job runs, its worker writes the job's heartbeat every
JOB_STALE_SECONDS / 3 (besides each progress report). A job whose heartbeat is older than JOB_STALE_SECONDS
lost its worker: every running worker looks for such jobs when it starts and then, while it waits, every
JOB_STALE_SECONDS / 3 (at most every SWEEP_SECONDS), queues them again, and they run from the start (job
functions are written so that a re-run is safe: imports are idempotent or all-or-nothing); after
MAX_ATTEMPTS they fail. Functions registered with `@when_idle` (the catalog's unfinished index work) run at
the same times.

Why not django-tasks (issue #12 asked to move to it unless it cannot do what we need). Read in
django-tasks 0.12.0 (the backport of Django 6's Tasks framework: the API, an immediate and a dummy back-end)
and django-tasks-db 0.13.0 (its database back-end and `db_worker`, a separate package since 0.12):
1. A task whose worker dies stays RUNNING for ever. `db_worker` claims READY tasks only and keeps no
   heartbeat; nothing ever takes a RUNNING task again (upstream issue RealOrangeOne/django-tasks#46, "Unclean
   exits of the worker leave tasks in limbo", open). Recovering would mean rewriting its rows from a loop of
   our own beside its worker: the part of the queue we were asked to stop writing by hand, written anyway.
2. No progress: a task may read its result (TaskContext) but has nothing to write done/total/stage to (the
   `metadata` field added in django-tasks-db's migration 0017 was removed again in 0019); the job page's
   progress would stay in a table of ours, written by us.
3. No attempts: a task fails once and stays failed; the retry-up-to-MAX_ATTEMPTS rule would be ours too.
What the package would replace is the claim query (`claim_next`), at the cost of a second table per job
and a second worker command; so the queue stays ours, in this one module.
"""

import logging
import threading
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)
KINDS = {}
LABELS = {}  # kind -> its name for people ("Catalog import"), shown on the jobs' pages
IDLE = []
MAX_ATTEMPTS = 3
# The longest a waiting worker goes without looking for jobs whose worker died (and running IDLE functions).
SWEEP_SECONDS = 30


def job_kind(name, label=None):
    """Registers a job kind's function, with the name people read for it (`label`, translatable)."""
    def register(function):
        KINDS[name] = function
        if label is not None:
            LABELS[name] = label
        return function

    return register


def when_idle(function):
    """Register a function that a worker runs at each sweep: when it starts, then regularly while it waits."""
    IDLE.append(function)
    return function


def enqueue(kind, params, *, user=None):
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, created_by=user if user and user.is_authenticated else None)
    if settings.JOBS_EAGER:
        run(job)
        job.refresh_from_db()
    return job


class JobLost(Exception):
    """This run's job was taken again by another worker (its heartbeat looked dead): the run must stop."""


def _this_run(job):
    """The job's row while it is still this run's: running, at the attempt this run started. A worker that
    looked dead (a heartbeat not written) may have lost its job to another worker, which ran it again; every
    write of a run goes through this filter, so the stale run can never overwrite the new attempt's."""
    return Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING)


class Progress:
    """Writes a job's progress to the database, at most a few times a second; raises JobLost when the job is
    no longer this run's (see `_this_run`), so that the job function stops."""

    def __init__(self, job, interval=0.5, lost=None):
        self.job = job
        self.interval = interval
        self.last = 0.0
        self.lost = lost or threading.Event()  # set by the heartbeat when its write found the job taken

    def __call__(self, done, total=None, stage=None):
        if self.lost.is_set():
            raise JobLost(self.job.pk)
        now = time.monotonic()
        if now - self.last < self.interval and (total is None or done < total):
            return
        self.last = now
        fields = {"done": done, "heartbeat": timezone.now()}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = str(stage)[:100]
        if not _this_run(self.job).update(**fields):
            self.lost.set()
            raise JobLost(self.job.pk)


class Heartbeat(threading.Thread):
    """Writes a running job's heartbeat every JOB_STALE_SECONDS / 3, so that a job that reports no progress for
    a while (a long index commit, a harvest waiting out an endpoint's back-off) is not taken for dead."""

    def __init__(self, job, lost):
        super().__init__(name=f"heartbeat-{job.pk}", daemon=True)
        self.job = job
        self.lost = lost  # set when the job is no longer this run's: its next progress report stops it
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(settings.JOB_STALE_SECONDS / 3):
                try:
                    if not _this_run(self.job).update(heartbeat=timezone.now()):
                        log.warning("job %s was taken again by another worker; this run stops", self.job.pk)
                        self.lost.set()
                        return
                except DatabaseError:  # SQLite busy with the job's own batch past its timeout: beat next time
                    log.warning("job %s: heartbeat not written", self.job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()
        self.join()


def run(job, *, heartbeat=False):
    """Run one claimed (or eager) job to its end, storing its result or its error."""
    function = KINDS[job.kind]
    # This run's attempt number: every later write of the run is guarded by it (see `_this_run`).
    if not Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=Job.Status.RUNNING, started=timezone.now(), heartbeat=timezone.now(), attempts=job.attempts + 1
    ):
        log.warning("job %s was taken by another worker before it started here", job.pk)
        return False
    job.attempts += 1
    job.status = Job.Status.RUNNING
    lost = threading.Event()
    beat = Heartbeat(job, lost) if heartbeat else None
    if beat:
        beat.start()
    try:
        result = function(progress=Progress(job, lost=lost), job_id=job.pk, **job.params)
    except JobLost:
        log.warning("job %s was taken again by another worker; this run stopped without writing", job.pk)
        return False
    except Exception as exc:  # the job failed; record why and go on with the next one
        log.exception("job %s failed", job.pk)
        _this_run(job).update(
            status=Job.Status.FAILED,
            finished=timezone.now(),
            error=f"{exc}\n\n{traceback.format_exc(limit=5)}"[:10000],
        )
        return False
    finally:
        if beat:
            beat.stop()
    if not _this_run(job).update(status=Job.Status.DONE, finished=timezone.now(), result=result or {}):
        log.warning("job %s was taken again by another worker; this run's result is dropped", job.pk)
        return False
    return True


def requeue_stale():
    """Jobs left 'running' by a worker that stopped: queue them again, or fail them after MAX_ATTEMPTS."""
    limit = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat__lt=limit)
    if not stale.exists():  # a read: on SQLite an UPDATE would wait for the write lock an import holds
        return 0
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


def sweep():
    """What a worker does besides running jobs: take again the jobs whose worker died, run the IDLE functions."""
    requeue_stale()
    for function in IDLE:
        try:
            function()
        except Exception:  # one failing chore must not stop the worker; it is tried again on the next sweep
            log.exception("%s failed", function.__qualname__)


def work(*, once=False, poll=1.0, stop=None):
    """Run queued jobs until `stop()` says so (or, with `once`, until the queue is empty), sweeping at the
    start and regularly while waiting (see the module's docstring)."""
    interval = min(SWEEP_SECONDS, max(1, settings.JOB_STALE_SECONDS / 3))
    swept = None
    while not (stop and stop()):
        in_test = connection.in_atomic_block  # (tests run the worker inside their transaction)
        if not in_test:
            close_old_connections()
        if swept is None or time.monotonic() - swept >= interval:
            sweep()
            swept = time.monotonic()
        job = claim_next()
        if job is not None:
            run(job, heartbeat=not in_test)
        elif once:
            return
        else:
            time.sleep(poll)
