"""A job whose worker is killed (kill -9) midway is picked up by another worker, completes once, and leaves
nothing half-written: real ``celery worker`` processes, the real Redis at 127.0.0.1:6379 as their broker, and the
test database on PostgreSQL, which they share with the test."""

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from claims.jobs.imports import start_claimreview_import, summary_of
from claims.models import Claim, Job, JobState, Source, Speaker, Verdict
from tests.conftest import celery_broker
from tests.test_import_claimreview import review

PROJECT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/0"
RECORDS, BATCH = 80, 10
VISIBILITY_TIMEOUT = 4  # seconds before Redis hands a killed worker's job to another
LEASE = 3  # seconds of a job's lease, renewed every second while its worker lives


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="workers are processes of their own, which share the test's database only on PostgreSQL",
    ),
    pytest.mark.skipif(not redis_answers(), reason=f"no Redis answers at {BROKER}: the workers need a real broker"),
]


@pytest.fixture
def prefix() -> Iterator[str]:
    """The Redis keys of this test's queue, apart from anyone else's; deleted afterwards."""
    prefix = f"factcheck-test-{secrets.token_hex(4)}:"
    yield prefix
    client = redis.Redis.from_url(BROKER)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def workers(prefix, media_root, tmp_path) -> Iterator[Callable[[str], subprocess.Popen]]:
    """``start(name)`` starts a ``celery worker`` (one process) on the test database; all are killed at the end."""
    server = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": urllib.parse.urlunsplit(server._replace(path=f"/{connection.settings_dict['NAME']}")),
        "JOBS_IN_PROCESS": "false",
        "CELERY_BROKER_URL": BROKER,
        "JOB_LEASE_SECONDS": str(LEASE),
        "MEDIA_ROOT": str(media_root),
        "TEST_REDIS_PREFIX": prefix,
        "TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "TEST_BATCH_SECONDS": "0.4",
        "LOG_FORMAT": "text",
    }
    started: list[subprocess.Popen] = []

    def start(name: str) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("w")
        command = [str(PROJECT / ".venv/bin/celery"), "-A", "tests.job_worker", "worker", "--concurrency=1"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", f"--hostname={name}@%h"]
        worker = subprocess.Popen(
            command, cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            kill(worker)


def kill(worker: subprocess.Popen) -> None:
    """kill -9 the worker and its pool's processes, as a machine that loses power would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_for(what: Callable[[], bool], *, timeout: float, saying: str) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {timeout:g} s for {saying}.")
        time.sleep(0.2)


def test_a_job_whose_worker_is_killed_is_resumed_by_another_and_completes_once(prefix, workers, tmp_path):
    first = workers("first")
    records = [review(n) for n in range(1, RECORDS + 1)]
    upload = SimpleUploadedFile("feed.json", json.dumps(records).encode(), content_type="application/json")
    options = {"visibility_timeout": VISIBILITY_TIMEOUT, "global_keyprefix": prefix}
    with celery_broker(BROKER, broker_transport_options=options):
        job = start_claimreview_import([upload], user=None, batch_size=BATCH)

    def job_now() -> Job:
        return Job.objects.get(pk=job.pk)

    wait_for(lambda: job_now().done >= 3 * BATCH, timeout=60, saying="the first worker to store three batches")
    kill(first)
    interrupted = job_now()
    assert (interrupted.state, interrupted.attempts) == (JobState.RUNNING, 1)
    # Batches it committed are stored whole, and counted: the one it was writing is not there at all.
    stored = Verdict.objects.count()
    assert stored % BATCH == 0
    assert stored == interrupted.done == summary_of(interrupted.result).created < RECORDS

    workers("second")
    wait_for(lambda: job_now().finished, timeout=90, saying="the second worker to take the job over and finish it")
    done = job_now()
    assert (done.state, done.attempts, done.done, done.total) == (JobState.SUCCEEDED, 2, RECORDS, RECORDS), (
        tmp_path / "second.log"
    ).read_text()
    summary = summary_of(done.result)
    assert (summary.created, summary.already_imported, summary.new_claims, summary.skipped) == (RECORDS, 0, RECORDS, [])
    urls = list(Verdict.objects.values_list("url", flat=True))
    assert sorted(urls) == sorted(record["url"] for record in records)  # each fact-check once
    assert Claim.objects.count() == RECORDS
    assert Speaker.objects.filter(name="Jane Doe").count() == Source.objects.filter(title="The speech").count() == 1
