"""How every job runs, whatever its kind.

``start`` records the job and, once the caller's transaction commits, sends its Celery task (or runs it at once,
in-process, with ``JOBS_IN_PROCESS``). The task (``job_task``) is acknowledged only once it has run, and handed to
another worker if its worker dies (``acks_late``, ``reject_on_worker_lost``, and Redis's visibility timeout after
a kill -9). Each delivery takes the job under a lease (``JobQuerySet.claim``): a job that has ended is never run
again; one whose lease is live is left to its runner and looked at again once the lease would have lapsed; one
whose lease lapsed is taken over, and what its dead runner still writes is refused (``LostJob``).

A transient fault (``Transient``: the database away, a site that did not answer) puts the job in "retrying" and
the task is tried again after 5, 10, 20 ... seconds (``JOB_RETRY_BACKOFF_SECONDS``, doubling up to
``JOB_RETRY_BACKOFF_MAX_SECONDS``), ``JOB_MAX_RETRIES`` times, then fails. ``JobRefused`` fails the job at once
with its message; any other error fails it with a message that points to the log, where its traceback is.
"""

import datetime
import logging
import threading
from collections.abc import Callable

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as QueueUnavailable

from claims.models import Job, JobBusy, JobState, LostJob

logger = logging.getLogger(__name__)

# The Celery task that runs each kind of job, by kind (``job_task``).
TASKS = {}

# The words for its user of a fault worth trying again after a while, or None for any other error.
Transient = Callable[[BaseException], str | None]


class JobRefused(Exception):
    """A permanent failure, in words for the job's user; ``code`` names it for programs (the API)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def database_away(error: BaseException) -> str | None:
    """A lost connection, a database restarting or locked: worth another try later."""
    if isinstance(error, OperationalError | InterfaceError):
        return "The database could not be reached."
    return None


def start(kind: str, *, user=None, arguments: dict | None = None, key: str = "") -> Job:
    """The job of ``kind``, sent to the workers once the caller's transaction commits; or the job that was started
    under ``key`` before (``JobQuerySet.start``), which is not sent again."""
    job, created = Job.objects.start(kind, user=user, arguments=arguments, key=key)
    if created:
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    try:
        TASKS[job.kind].delay(job.pk)
    except QueueUnavailable:
        logger.exception("job %s could not be queued", job.pk)
        job.fail(
            "The job could not be queued: the job queue is unavailable. Try again later.", code="queue_unavailable"
        )


class Run:
    """One attempt at a job, as its work sees it: the job, and where to say how far it got.

    In a worker, a heartbeat thread renews the job's lease and records its progress every third of
    ``JOB_LEASE_SECONDS``, on a database connection of its own: the work's transactions (an export reads in one)
    would hide both until they commit. In-process nobody watches a job until it ends, so there is no heartbeat.
    """

    def __init__(self, job: Job, *, heartbeat: bool):
        self.job = job
        self.done, self.total = job.done, job.total
        self._heartbeat = _Heartbeat(self) if heartbeat else None

    def __enter__(self) -> "Run":
        if self._heartbeat:
            self._heartbeat.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._heartbeat:
            self._heartbeat.stopping.set()
            self._heartbeat.join()

    def progress(self, done: int, total: int | None = None) -> None:
        """Note how far the job got. Raises ``LostJob`` once another runner has taken the job over."""
        self.done = done
        if total is not None:
            self.total = total
        if self.total is not None and done > self.total:  # more than counted were written meanwhile
            self.total = done
        if self._heartbeat and self._heartbeat.lost:
            raise LostJob(f"Job {self.job.pk} was taken over while attempt {self.job.attempts} ran.")

    def checkpoint(self, done: int, *, result: dict) -> None:
        """Record how far the job got and what it has committed so far, inside the work's transaction, so that they
        commit with that work or not at all; a runner that lost the job has its transaction rolled back."""
        self.done = done
        self.job.report_progress(done, self.total, result=result)


class _Heartbeat(threading.Thread):
    def __init__(self, attempt: Run):
        super().__init__(name=f"job-{attempt.job.pk}-heartbeat", daemon=True)
        self.attempt = attempt
        self.stopping = threading.Event()
        self.lost = False

    def run(self) -> None:
        job = self.attempt.job
        # A copy of its own: the work's instance is not shared across threads.
        beat = Job(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts)
        try:
            while not self.stopping.wait(settings.JOB_LEASE_SECONDS / 3):
                try:
                    beat.report_progress(self.attempt.done, self.attempt.total)
                except LostJob:
                    self.lost = True
                    return
                except DatabaseError:
                    logger.warning("job %s: its lease could not be renewed", job.pk, exc_info=True)
                    connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()


Work = Callable[[Run], dict]


def job_task(kind: str, *, transient: Transient = database_away) -> Callable[[Work], Callable]:
    """Make ``work(run) -> result`` the Celery task that runs the jobs of ``kind`` (``TASKS[kind]``); ``transient``
    says which of its errors are worth trying again later. ``work`` itself stays as it is."""

    def register(work: Work):
        # max_retries=None: the job counts its own tries (JOB_MAX_RETRIES), so that once it has given up it can
        # still wait for the database to record that it did.
        @shared_task(
            name=f"claims.jobs.{kind}",
            bind=True,
            acks_late=True,
            reject_on_worker_lost=True,
            ignore_result=True,
            max_retries=None,
        )
        def run_job(task, job_id: int) -> None:
            _attempt(task, job_id, work, transient)

        TASKS[kind] = run_job
        return work

    return register


def _attempt(task, job_id: int, work: Work, transient: Transient) -> None:
    try:
        job = Job.objects.claim(job_id)
    except JobBusy as busy:
        _look_again(task, job_id, busy.until)
        return
    except DatabaseError as error:
        # The database away before the job could be taken: a worker waits for it as long as it takes.
        if transient(error) is None or (task.request.is_eager and task.request.retries >= settings.JOB_MAX_RETRIES):
            raise
        raise task.retry(countdown=_backoff(task.request.retries), exc=error) from error
    if job is None:  # it has ended: a message delivered again does not do the work again
        return
    run = Run(job, heartbeat=not task.request.is_eager)
    try:
        with run:
            result = work(run)
        if not job.finished:
            job.succeed(result, done=run.done, total=run.total)
    except LostJob:
        logger.warning("job %s: attempt %s was taken over by another; its work was not kept", job.pk, job.attempts)
    except JobRefused as refusal:
        job.fail(str(refusal), code=refusal.code)
    except Exception as error:
        reason = transient(error)
        if reason is None:
            logger.exception("job %s failed", job.pk)
            job.fail(f"The job failed unexpectedly; the error was logged (job {job.pk}).", code="internal_error")
        else:
            _retry_later(task, job, error, reason)


def _look_again(task, job_id: int, until: datetime.datetime) -> None:
    """Another runner holds the job: look again once its lease would have lapsed, when it has ended or died."""
    if task.request.is_eager:  # in-process, the runner holding it is this very process, which will end it
        return
    task.apply_async((job_id,), eta=until + datetime.timedelta(seconds=1), retries=task.request.retries)


def _backoff(retries: int) -> int:
    return get_exponential_backoff_interval(
        settings.JOB_RETRY_BACKOFF_SECONDS, retries, settings.JOB_RETRY_BACKOFF_MAX_SECONDS
    )


def _retry_later(task, job: Job, error: Exception, reason: str) -> None:
    """Wait and try again, or, after ``JOB_MAX_RETRIES`` tries, fail with the fault's reason."""
    retries = task.request.retries
    code = str(getattr(error, "code", "unavailable"))
    if retries >= settings.JOB_MAX_RETRIES:
        if _recorded(job.fail, f"{reason} It was tried {retries + 1} times.", code=code) or task.request.is_eager:
            return
        countdown = settings.JOB_RETRY_BACKOFF_MAX_SECONDS  # the database is away too: say so once it is back
    else:
        countdown = _backoff(retries)
        at = timezone.now() + datetime.timedelta(seconds=countdown)
        _recorded(job.wait_to_retry, f"{reason} Trying again in {countdown} seconds.", at=at)
    raise task.retry(countdown=countdown, exc=error) from error


def _recorded(move: Callable, *args, **kwargs) -> bool:
    """Whether ``move`` of the job was recorded: after a fault the database may be away too. A job left running
    then keeps its lease until it lapses, when the next try takes it over."""
    if not connection.in_atomic_block:  # a connection the fault broke is replaced
        connection.close_if_unusable_or_obsolete()
    try:
        move(*args, **kwargs)
    except DatabaseError:
        logger.warning("a job's state could not be recorded", exc_info=True)
        return False
    return True


def delete_jobs(jobs: QuerySet) -> int:
    """Delete ``jobs`` and the files they own (uploads, exports); how many were deleted."""
    deleted = 0
    for job in jobs.iterator():
        for name in job.files():
            default_storage.delete(name)
        job.delete()
        deleted += 1
    return deleted
