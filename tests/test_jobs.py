"""Background jobs (``claims.jobs``) run in-process, as in development: their state moves, leases, idempotency,
retries with backoff on transient faults, permanent failures reported, and an import interrupted midway that is
resumed and counts each fact-check once. (``test_job_workers.py`` kills real workers.)"""

import datetime
import json
import logging
import smtplib
from contextlib import contextmanager

import pytest
from celery.exceptions import Retry
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from claims.intake.claimreview import importing
from claims.jobs import imports
from claims.jobs.imports import start_claimreview_import
from claims.jobs.mail import send_mail
from claims.jobs.running import TASKS, Run, start
from claims.models import Job, JobBusy, JobKind, JobState, LostJob, Verdict
from tests.conftest import celery_broker
from tests.test_import_claimreview import review

pytestmark = pytest.mark.django_db


def fresh(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def upload(name: str, records: list[dict]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(records).encode(), content_type="application/json")


class FlakyMailServer:
    """An email backend that fails the first ``failures`` sends with ``error``, then delivers to ``mailoutbox``."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    seen: list = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        FlakyMailServer.seen.append(Job.objects.get())
        if FlakyMailServer.failures:
            FlakyMailServer.failures -= 1
            raise FlakyMailServer.error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.test_jobs.FlakyMailServer"
    FlakyMailServer.failures, FlakyMailServer.seen = 0, []
    FlakyMailServer.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return FlakyMailServer


@pytest.fixture
def countdowns(monkeypatch):
    """The delays each retry of a mail job asked Celery for."""
    asked = []
    task = TASKS[JobKind.SEND_MAIL]
    retry = task.retry

    def spy(*args, countdown=None, **kwargs):
        asked.append(countdown)
        return retry(*args, countdown=countdown, **kwargs)

    monkeypatch.setattr(task, "retry", spy)
    return asked


class TestStateMoves:
    def test_a_job_is_queued_then_taken_under_a_lease_then_ends_once(self, settings):
        job, created = Job.objects.start(JobKind.SEND_MAIL, arguments={"to": ["a@example.org"]})
        assert created
        assert (job.state, job.attempts, job.idempotency_key != "") == (JobState.QUEUED, 0, True)
        running = Job.objects.claim(job.pk)
        assert (running.state, running.attempts, running.started_at is not None) == (JobState.RUNNING, 1, True)
        lease = (running.lease_expires_at - timezone.now()).total_seconds()
        assert settings.JOB_LEASE_SECONDS - 5 < lease <= settings.JOB_LEASE_SECONDS
        running.succeed({"sent": 1}, done=1, total=1)
        assert (fresh(job).state, fresh(job).finished_at is not None, fresh(job).lease_expires_at) == (
            JobState.SUCCEEDED,
            True,
            None,
        )
        assert Job.objects.claim(job.pk) is None  # ended: never run again
        with pytest.raises(LostJob):
            running.fail("too late")
        assert fresh(job).state == JobState.SUCCEEDED

    def test_a_job_under_a_live_lease_is_not_taken_twice(self):
        job, _ = Job.objects.start(JobKind.SEND_MAIL)
        Job.objects.claim(job.pk)
        with pytest.raises(JobBusy) as busy:
            Job.objects.claim(job.pk)
        assert busy.value.until == fresh(job).lease_expires_at
        assert fresh(job).attempts == 1

    def test_a_lapsed_lease_is_taken_over_and_the_dead_runner_writes_no_more(self):
        job, _ = Job.objects.start(JobKind.SEND_MAIL)
        dead = Job.objects.claim(job.pk)
        Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
        alive = Job.objects.claim(job.pk)
        assert alive.attempts == 2
        for write in (lambda: dead.report_progress(1), lambda: dead.succeed({}, done=1, total=1)):
            with pytest.raises(LostJob):
                write()
        alive.report_progress(1, 2)
        assert (fresh(job).state, fresh(job).done, fresh(job).attempts) == (JobState.RUNNING, 1, 2)

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"state": JobState.FAILED, "finished_at": timezone.now()}, id="a failure that says no why"),
            pytest.param({"state": JobState.SUCCEEDED}, id="an end without its time"),
            pytest.param({"state": JobState.RUNNING}, id="a run without a lease"),
            pytest.param({"done": 3, "total": 2}, id="more done than there is"),
        ],
    )
    def test_the_database_refuses_a_job_that_makes_no_sense(self, changes):
        job, _ = Job.objects.start(JobKind.SEND_MAIL)
        with pytest.raises(IntegrityError), transaction.atomic():
            Job.objects.filter(pk=job.pk).update(**changes)

    def test_the_same_key_starts_one_job(self, run_jobs, mailoutbox):
        with run_jobs():
            first = send_mail("Published", "Your fact-check is out.", ["rex@example.org"], key="published:7:rex")
            again = send_mail("Published", "Your fact-check is out.", ["rex@example.org"], key="published:7:rex")
        assert again.pk == first.pk
        assert Job.objects.count() == 1
        assert len(mailoutbox) == 1

    def test_each_user_sees_the_jobs_they_started_and_editors_everyones(self, editor, reviewer, researcher):
        mine, _ = Job.objects.start(JobKind.SEND_MAIL, user=reviewer)
        theirs, _ = Job.objects.start(JobKind.SEND_MAIL, user=researcher)
        anonymous, _ = Job.objects.start(JobKind.EXPORT_VERDICTS)
        assert set(Job.objects.visible_to(reviewer)) == {mine}
        assert set(Job.objects.visible_to(researcher)) == {theirs}
        assert set(Job.objects.visible_to(editor)) == {mine, theirs, anonymous}
        assert not Job.objects.visible_to(AnonymousUser()).exists()


class TestRunning:
    def test_a_mail_job_sends_once_however_often_its_message_comes(self, run_jobs, mailoutbox, settings):
        settings.PUBLIC_URL = "https://desk.example.org"
        with run_jobs():
            job = send_mail("Hello", "Body", ["a@example.org"], key="k1", html="<p>Body</p>")
        job = fresh(job)
        assert (job.state, job.done, job.total, job.attempts, job.result) == (JobState.SUCCEEDED, 1, 1, 1, {"sent": 1})
        [message] = mailoutbox
        assert message.to == ["a@example.org"]
        assert message.alternatives[0][1] == "text/html"
        assert message.extra_headers["Message-ID"].endswith("@desk.example.org>")
        TASKS[JobKind.SEND_MAIL].apply((job.pk,))  # delivered again
        assert len(mailoutbox) == 1
        assert fresh(job).attempts == 1

    def test_a_transient_fault_is_retried_with_exponential_backoff(self, run_jobs, flaky_mail, countdowns, settings):
        settings.JOB_RETRY_BACKOFF_SECONDS = 5
        flaky_mail.failures = 2
        with run_jobs():
            job = send_mail("Hello", "Body", ["a@example.org"], key="k2")
        assert countdowns == [5, 10]
        # Each try found the job running as its next attempt, the last one's complaint behind it.
        assert [(seen.state, seen.attempts, seen.error) for seen in flaky_mail.seen] == [
            (JobState.RUNNING, 1, ""),
            (JobState.RUNNING, 2, ""),
            (JobState.RUNNING, 3, ""),
        ]
        job = fresh(job)
        assert (job.state, job.attempts, job.error, job.retry_at) == (JobState.SUCCEEDED, 3, "", None)

    def test_between_tries_the_job_says_what_went_wrong_and_when_it_tries_again(self, flaky_mail, settings):
        flaky_mail.failures = 1
        settings.JOB_RETRY_BACKOFF_SECONDS = 30
        job = send_mail("Hello", "Body", ["a@example.org"], key="k3")
        task = TASKS[JobKind.SEND_MAIL]
        with celery_broker("memory://") as app, as_a_worker(task, job.pk):  # the retry waits in a queue no worker reads
            with pytest.raises(Retry):
                task.run(job.pk)
            job = fresh(job)
            assert (job.state, job.error_code) == (JobState.RETRYING, "retrying")
            assert job.error == "The mail server could not be reached. Trying again in 30 seconds."
            assert 25 < (job.retry_at - timezone.now()).total_seconds() <= 30
            with app.connection_for_read() as connection:
                [message] = list(_messages(connection, app.conf.task_default_queue))
            assert (message.headers["retries"], message.headers["eta"] is not None) == (1, True)
        task.apply((job.pk,), retries=1)  # the retry, delivered once its time has come
        assert fresh(job).state == JobState.SUCCEEDED

    def test_a_fault_that_lasts_fails_the_job_saying_so(self, run_jobs, flaky_mail, countdowns, settings, mailoutbox):
        settings.JOB_MAX_RETRIES = 2
        flaky_mail.failures = 99
        with run_jobs():
            job = send_mail("Hello", "Body", ["a@example.org"], key="k4")
        job = fresh(job)
        assert (job.state, job.attempts, job.error_code) == (JobState.FAILED, 3, "unavailable")
        assert job.error == "The mail server could not be reached. It was tried 3 times."
        assert countdowns == [5, 10]
        assert mailoutbox == []

    def test_a_permanent_failure_is_reported_at_once(self, run_jobs, flaky_mail, countdowns):
        flaky_mail.failures = 1
        flaky_mail.error = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")})
        with run_jobs():
            job = send_mail("Hello", "Body", ["a@example.org"], key="k5")
        job = fresh(job)
        assert (job.state, job.attempts, job.error_code, countdowns) == (JobState.FAILED, 1, "mail_refused", [])
        assert job.error.startswith("The mail server refused the message: ")
        assert "No such user" in job.error

    def test_an_unexpected_error_fails_the_job_and_logs_its_traceback(self, run_jobs, flaky_mail, caplog):
        flaky_mail.failures = 1
        flaky_mail.error = ZeroDivisionError("division by zero")
        with caplog.at_level(logging.ERROR, logger="claims.jobs.running"), run_jobs():
            job = send_mail("Hello", "Body", ["a@example.org"], key="k6")
        job = fresh(job)
        assert (job.state, job.error_code) == (JobState.FAILED, "internal_error")
        assert job.error == f"The job failed unexpectedly; the error was logged (job {job.pk})."
        [record] = [record for record in caplog.records if record.exc_info]
        assert record.getMessage() == f"job {job.pk} failed"
        assert record.exc_info[0] is ZeroDivisionError

    def test_a_job_that_cannot_be_queued_fails_saying_so(self, run_jobs):
        # Nothing listens on the discard port: the broker cannot be reached.
        with celery_broker("redis://127.0.0.1:9/0", broker_connection_timeout=1), run_jobs():
            job = start(JobKind.SEND_MAIL, arguments={"to": []})
        job = fresh(job)
        assert (job.state, job.error_code, job.attempts) == (JobState.FAILED, "queue_unavailable", 0)
        assert job.error == "The job could not be queued: the job queue is unavailable. Try again later."


@contextmanager
def as_a_worker(task, *args):
    """Run ``task(*args)`` as a worker does with a message it took from the broker, rather than in-process."""
    task.push_request(id="delivered-once", args=args, kwargs={}, retries=0, is_eager=False, called_directly=False)
    try:
        yield
    finally:
        task.pop_request()


def _messages(connection, queue: str):
    with connection.SimpleQueue(queue) as simple:
        while simple.qsize():
            message = simple.get(timeout=1)
            message.ack()
            yield message


class TestImportJob:
    def test_it_imports_the_uploaded_files_and_says_what_it_did(self, run_jobs, editor):
        with run_jobs():
            job = start_claimreview_import(
                [upload("a.json", [review(1), review(2)]), upload("b.json", [review(2), {"@type": "ClaimReview"}])],
                base_url="https://checker.example/",
                user=editor,
            )
        job = fresh(job)
        assert (job.state, job.done, job.total, job.started_by) == (JobState.SUCCEEDED, 4, 4, editor)
        summary = imports.summary_of(job.result)
        assert (summary.created, summary.already_imported, summary.new_claims) == (2, 0, 2)
        assert [position for position, _ in summary.skipped] == ["b.json: [0]", "b.json: [1]"]
        assert Verdict.objects.count() == 2
        assert {upload["label"] for upload in job.arguments["files"]} == {"a.json", "b.json"}
        assert all(default_storage.exists(name) for name in job.files())

    def test_files_without_claimreview_fail_the_job(self, run_jobs, editor):
        with run_jobs():
            job = start_claimreview_import([upload("empty.json", [])], user=editor)
            latin = start_claimreview_import([SimpleUploadedFile("old.json", '["é"]'.encode("latin-1"))], user=editor)
        assert (fresh(job).state, fresh(job).error) == (JobState.FAILED, "No ClaimReview was found in the files.")
        assert fresh(latin).error == "old.json is not UTF-8 text (invalid continuation byte)."

    def test_the_database_away_is_a_transient_fault(self, run_jobs, editor, monkeypatch):
        real = imports.claim_reviews_import
        calls = []

        def away_once(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise OperationalError("server closed the connection unexpectedly")
            return real(*args, **kwargs)

        monkeypatch.setattr(imports, "claim_reviews_import", away_once)
        with run_jobs():
            job = start_claimreview_import([upload("a.json", [review(1)])], user=editor)
        assert (fresh(job).state, fresh(job).attempts, len(calls)) == (JobState.SUCCEEDED, 2, 2)

    def test_running_the_same_job_twice_does_the_work_once(self, run_jobs, editor):
        with run_jobs():
            job = start_claimreview_import([upload("a.json", [review(1), review(2)])], user=editor)
        before = fresh(job)
        TASKS[JobKind.IMPORT_CLAIMREVIEW].apply((job.pk,))
        after = fresh(job)
        assert (after.attempts, after.result, after.finished_at) == (1, before.result, before.finished_at)
        assert Verdict.objects.count() == 2

    def test_an_import_interrupted_midway_is_resumed_and_counts_each_fact_check_once(self, editor, monkeypatch):
        job = start_claimreview_import([upload("a.json", [review(n) for n in range(1, 6)])], user=editor, batch_size=2)
        write = importing._Batch.write
        batches = []

        def dies_in_the_second_batch(batch):
            batches.append(len(batch.records))
            write(batch)  # written, then the worker is killed before its transaction commits
            if len(batches) == 2:
                raise WorkerKilled

        monkeypatch.setattr(importing._Batch, "write", dies_in_the_second_batch)
        with pytest.raises(WorkerKilled):
            TASKS[JobKind.IMPORT_CLAIMREVIEW].apply((job.pk,))
        interrupted = fresh(job)
        assert (interrupted.state, interrupted.done, interrupted.total) == (JobState.RUNNING, 2, 5)
        assert Verdict.objects.count() == 2  # the first batch; nothing of the second
        assert imports.summary_of(interrupted.result).created == 2

        monkeypatch.setattr(importing._Batch, "write", write)
        TASKS[JobKind.IMPORT_CLAIMREVIEW].apply((job.pk,))  # delivered again: the lease is live, the runner alive
        assert fresh(job).attempts == 1
        Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
        TASKS[JobKind.IMPORT_CLAIMREVIEW].apply((job.pk,))
        job = fresh(job)
        assert (job.state, job.attempts, job.done) == (JobState.SUCCEEDED, 2, 5)
        summary = imports.summary_of(job.result)
        assert (summary.created, summary.already_imported, summary.new_claims, summary.skipped) == (5, 0, 5, [])
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            f"https://checker.example/fact-checks/{n}" for n in range(1, 6)
        ]

    def test_a_runner_that_lost_its_job_has_its_batch_rolled_back(self, editor):
        job = start_claimreview_import([upload("a.json", [review(1), review(2)])], user=editor)
        presumed_dead = Job.objects.claim(job.pk)
        Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
        Job.objects.claim(job.pk)  # another worker took it over; the first one, only slow, goes on:
        with pytest.raises(LostJob):
            imports.import_claimreview_job(Run(presumed_dead, heartbeat=False))
        assert Verdict.objects.count() == 0
        assert fresh(job).attempts == 2


class WorkerKilled(BaseException):
    """What a kill -9 does to the work: it stops wherever it was, and nothing after it runs."""


class TestPruning:
    def test_jobs_that_ended_long_ago_go_with_their_files(self, run_jobs, editor, settings):
        settings.JOB_RETENTION_DAYS = 14
        with run_jobs():
            old = start_claimreview_import([upload("old.json", [review(1)])], user=editor)
            recent = start_claimreview_import([upload("new.json", [review(2)])], user=editor)
        running = start(JobKind.SEND_MAIL)
        Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=15))
        Job.objects.filter(pk=running.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
        old_files = fresh(old).files()
        call_command("prune_jobs")
        assert set(Job.objects.all()) == {recent, running}
        assert not any(default_storage.exists(name) for name in old_files)
        assert all(default_storage.exists(name) for name in fresh(recent).files())
