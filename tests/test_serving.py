"""The app as gunicorn serves it (gunicorn.conf.py): throttling counted in Redis across worker processes, slow
readers that cannot starve the others, long exports that arrive whole or fail visibly, and trusted proxies.

Each test starts a real gunicorn on a database file of its own (the same whichever database the suite runs
on: these are about the server, not the database), and the Redis tests use the Redis at 127.0.0.1:6379
(REDIS_TEST_URL), under a key prefix of their own.
"""

import contextlib
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from django.conf import settings

from tests.app_processes import PROJECT, answers, app_env, manage, migrate, wait_until
from tests.private_postgres import PrivateDatabases, free_port

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
EXPORT = "/api/v1/exports/verdicts.json"
# Enough published fact-checks that their export (about 5 MB) is far more than loopback's socket buffers hold.
DEMO_CLAIMS = 10_000
QUIET = {"LOG_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    """A migrated SQLite file with a synthetic corpus, served by every gunicorn of this module."""
    path = tmp_path_factory.mktemp("serving") / "served.sqlite3"
    url = f"sqlite:///{path}"
    for command in (["migrate", "--verbosity", "0"], ["generate_demo", "--claims", str(DEMO_CLAIMS)]):
        result = manage(url, *command, timeout=300, **QUIET)
        assert result.returncode == 0, result.stderr
    return url


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {REDIS_TEST_URL} (REDIS_TEST_URL) to share counts in: {error}")
    return REDIS_TEST_URL


@contextlib.contextmanager
def gunicorn(database_url: str, log_path: Path, **settings: str) -> Iterator[str]:
    """gunicorn with the project's gunicorn.conf.py and ``settings`` in its environment; yields its base URL.

    The access log gives the id of the worker process that answered and the status, one request a line.
    """
    port = free_port()
    env = app_env(database_url, GUNICORN_BIND=f"127.0.0.1:{port}", **QUIET, **settings)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "factcheck.wsgi"]
    command += ["--access-logfile", str(log_path), "--access-logformat", "%(p)s %(s)s %(U)s"]
    base = f"http://127.0.0.1:{port}"
    errors_path = log_path.parent / f"{log_path.stem}.err"
    with errors_path.open("wb") as errors:
        server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=errors, stderr=errors)
    try:
        # The health check, not the API: a probe of the API would count against the rates the tests measure.
        wait_until(lambda: server.poll() is not None or answers(base, "/healthz"), what="gunicorn", timeout=30)
        assert server.poll() is None, errors_path.read_text()
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def access_log(path: Path, prefix: str) -> list[tuple[str, str]]:
    """(worker process, status) of each request whose path starts with ``prefix``."""
    lines = [line.split() for line in path.read_text().splitlines()]
    return [(pid, status) for pid, status, url in lines if url.startswith(prefix)]


class TestThrottlingAcrossWorkers:
    """Four worker processes share the counts in Redis: a client gets the configured rate, not four times it."""

    RATE = 30
    REQUESTS = 90

    def statuses(self, url: str) -> Counter:
        # One request at a time, as a scripted client makes them, each on a connection of its own (gunicorn closes
        # every connection after its answer): the workers take turns at accepting them.
        return Counter(requests.get(url, timeout=10).status_code for _ in range(self.REQUESTS))

    def test_the_api_allows_the_configured_rate_across_worker_processes(self, database_url, redis_url, tmp_path):
        log = tmp_path / "access.log"
        settings = {
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "API_THROTTLE_ANON": f"{self.RATE}/minute",
            "WEB_CONCURRENCY": "4",
            "GUNICORN_THREADS": "2",
        }
        with gunicorn(database_url, log, **settings) as base:
            statuses = self.statuses(f"{base}/api/v1/ratings/")
            throttled = requests.get(f"{base}/api/v1/ratings/", timeout=10)
        assert statuses == {200: self.RATE, 429: self.REQUESTS - self.RATE}
        assert throttled.json()["errors"][0]["code"] == "throttled"
        assert 0 < int(throttled.headers["Retry-After"]) <= 60
        served = access_log(log, "/api/v1/ratings/")
        assert len({pid for pid, _ in served}) >= 2, "one worker served every request: nothing was shared"

    def test_the_public_pages_and_the_report_have_rates_of_their_own_in_the_same_redis(
        self, database_url, redis_url, tmp_path
    ):
        log = tmp_path / "access.log"
        settings = {
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            # The pages link static files, which production settings serve from collectstatic's manifest.
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PAGE_THROTTLE": "10/minute",
            "REPORT_THROTTLE": "3/minute",
            "WEB_CONCURRENCY": "4",
            "GUNICORN_THREADS": "2",
        }
        with gunicorn(database_url, log, **settings) as base:
            pages = Counter(requests.get(f"{base}/methodology/", timeout=10).status_code for _ in range(25))
            reports = Counter(requests.get(f"{base}/reports/verdicts/", timeout=30).status_code for _ in range(6))
            throttled = requests.get(f"{base}/factchecks/", timeout=10)
        assert pages == {200: 10, 429: 15}
        assert reports == {200: 3, 429: 3}
        assert throttled.status_code == 429
        assert "Too many requests" in throttled.text
        assert 0 < int(throttled.headers["Retry-After"]) <= 60
        assert throttled.headers["Content-Type"].startswith("text/html")

    def test_without_redis_each_worker_counts_for_itself(self, database_url, tmp_path):
        """Why Redis: in each process's own memory, four workers let through more than the rate."""
        log = tmp_path / "access.log"
        settings = {"API_THROTTLE_ANON": f"{self.RATE}/minute", "WEB_CONCURRENCY": "4", "GUNICORN_THREADS": "2"}
        with gunicorn(database_url, log, **settings) as base:
            statuses = self.statuses(f"{base}/api/v1/ratings/")
        assert statuses[200] > self.RATE


def published_verdicts(database_url: str) -> int:
    path = database_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM claims_verdict v JOIN claims_claim c ON c.current_verdict_id = v.id"
            " WHERE v.status = 'published' AND c.status = 'published'"
        ).fetchone()
    return count


def small_window(base: str) -> socket.socket:
    """A connection to the server whose receive window is small, so the server's writes block once it stops reading."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window is agreed then
    sock.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    return sock


def stalled_reader(base: str) -> socket.socket:
    """A client that asks for the export, reads its first bytes, then reads nothing more."""
    sock = small_window(base)
    sock.sendall(f"GET {EXPORT} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert sock.recv(64).startswith(b"HTTP/1.1 200")
    return sock


class TestSlowClients:
    def test_slow_readers_of_an_export_do_not_keep_another_request_waiting(self, database_url, tmp_path):
        """Two workers of two threads: three readers that stall hold three threads, and the fourth answers at once."""
        settings = {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2", "GUNICORN_SEND_TIMEOUT": "60"}
        with gunicorn(database_url, tmp_path / "access.log", **settings) as base:
            readers = [stalled_reader(base) for _ in range(3)]
            try:
                time.sleep(1)  # every reader's thread is now blocked writing to it
                for _ in range(5):
                    started = time.monotonic()
                    response = requests.get(f"{base}/api/v1/ratings/", timeout=30)
                    assert response.status_code == 200
                    assert time.monotonic() - started < 2
            finally:
                for reader in readers:
                    reader.close()

    def test_a_slow_reader_gets_a_long_export_whole_however_long_past_the_worker_timeout(self, database_url, tmp_path):
        """A sync worker that streams for longer than gunicorn's timeout is killed mid-answer; a gthread one is not."""
        settings = {"WEB_CONCURRENCY": "1", "GUNICORN_TIMEOUT": "2"}
        with gunicorn(database_url, tmp_path / "access.log", **settings) as base:
            conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
            conn.request("GET", EXPORT)
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Transfer-Encoding") == "chunked"  # so an answer cut short shows
            body, started = bytearray(), time.monotonic()
            while chunk := response.read(60_000):
                body += chunk
                time.sleep(0.1)
            elapsed = time.monotonic() - started
        assert elapsed > 3 * 2  # three times the worker timeout
        assert len(json.loads(body)) == published_verdicts(database_url)

    def test_a_reader_that_stops_reading_gets_an_unfinished_answer_not_a_short_complete_one(
        self, database_url, tmp_path
    ):
        """Past GUNICORN_SEND_TIMEOUT the download is cut off: the chunked body never ends, which clients report."""
        settings = {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "1", "GUNICORN_SEND_TIMEOUT": "2"}
        with gunicorn(database_url, tmp_path / "access.log", **settings) as base:
            conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
            conn.sock = small_window(base)
            conn.request("GET", EXPORT)
            response = conn.getresponse()
            assert response.status == 200
            response.read(10_000)
            time.sleep(4)  # reads nothing: the server's send times out after 2 s
            with pytest.raises(http.client.IncompleteRead):
                response.read()
            # The thread it held is free again for the next reader: the one worker has only that one.
            assert requests.get(f"{base}/api/v1/ratings/", timeout=10).status_code == 200


class TestTrustedProxies:
    def test_x_forwarded_proto_is_believed_from_the_configured_proxies_only(self, database_url, tmp_path):
        """With the HTTPS redirect on, a request that says it came over HTTPS is served only from a trusted proxy."""
        https = {"X-Forwarded-Proto": "https"}
        page = "/api/v1/ratings/"
        trusted = {"SECURE_SSL_REDIRECT": "true", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
        with gunicorn(database_url, tmp_path / "trusted.log", **trusted) as base:
            assert requests.get(base + page, headers=https, allow_redirects=False, timeout=10).status_code == 200
            plain = requests.get(base + page, allow_redirects=False, timeout=10)
            assert plain.status_code == 301
            assert plain.headers["Location"].startswith("https://127.0.0.1:")
        untrusted = {"SECURE_SSL_REDIRECT": "true", "FORWARDED_ALLOW_IPS": "192.0.2.1"}
        with gunicorn(database_url, tmp_path / "untrusted.log", **untrusted) as base:
            assert requests.get(base + page, headers=https, allow_redirects=False, timeout=10).status_code == 301


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this module's own, on the suite's server."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("connection pooling is PostgreSQL's: run with DATABASE_URL=postgres://...")
    databases = PrivateDatabases("factcheck_pool")
    try:
        url = databases.create()
        migrate(url, timeout=300, **QUIET)
        yield url
    finally:
        databases.drop_all()


def app_connections(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


class TestConnectionPool:
    def test_a_worker_s_threads_share_the_pool_s_connections(self, postgres_url, tmp_path):
        """Four threads serve eight clients at once through a pool of two connections; without it, each thread
        holds one of its own."""
        threads = {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4", "API_THROTTLE_ANON": "100000/minute"}

        def load(base: str) -> Counter:
            with ThreadPoolExecutor(8) as clients:
                answers = clients.map(lambda _: requests.get(f"{base}/api/v1/ratings/", timeout=30), range(200))
                return Counter(answer.status_code for answer in answers)

        pool = {"DATABASE_POOL_MAX_SIZE": "2", "DATABASE_POOL_MIN_SIZE": "1"}
        with gunicorn(postgres_url, tmp_path / "pool.log", **threads, **pool) as base:
            assert load(base) == {200: 200}
            assert app_connections(postgres_url) == 2
        with gunicorn(postgres_url, tmp_path / "persistent.log", **threads) as base:
            assert load(base) == {200: 200}
            assert app_connections(postgres_url) == 4
