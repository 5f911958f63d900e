"""Faults: the database going away under the running app, and imports killed halfway through."""

import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import OperationalError, ProgrammingError, connection

from factcheck import middleware
from tests.private_postgres import free_port, postgres_bin_dir, private_postgres

PROJECT = Path(__file__).resolve().parent.parent
PG_BIN = postgres_bin_dir()
needs_postgres_binaries = pytest.mark.skipif(
    PG_BIN is None, reason="the PostgreSQL server binaries (initdb, pg_ctl) are missing; PG_BIN names their folder"
)

UNAVAILABLE = {
    "status": 503,
    "detail": middleware.MESSAGE,
    "errors": [{"field": None, "code": "database_unavailable", "message": middleware.MESSAGE}],
}


def wait_until(condition, *, what: str, timeout: float = 20, interval: float = 0.02):
    """``condition()``'s first true value, polled until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up after {timeout} s waiting for {what}.")
        time.sleep(interval)
    return result


def app_env(database_url: str) -> dict[str, str]:
    """The environment of a production server on ``database_url``, over plain HTTP on 127.0.0.1."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "faults-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=app_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def migrate(database_url: str) -> None:
    result = manage(database_url, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def queries_refused():
    """Every query of this thread fails as psycopg fails when the server is gone."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?"
        )

    with connection.execute_wrapper(refuse):
        yield


class TestTheDatabaseGoingAway:
    """In the test process: every query fails as it does when the server is gone."""

    pytestmark = pytest.mark.django_db

    @pytest.fixture
    def database_gone(self):
        with queries_refused():
            yield

    def test_it_answers_an_api_request_with_the_api_error_and_retry_after(self, client, database_gone):
        response = client.get("/api/v1/ratings/")
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
        assert response.json() == UNAVAILABLE

    def test_it_answers_a_signed_in_editor_in_the_admin_with_a_plain_page(self, client, editor):
        client.force_login(editor)
        with queries_refused():
            response = client.get("/admin/claims/claim/")
        assert response.status_code == 503
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
        assert response.content.decode() == middleware.MESSAGE

    def test_it_answers_a_public_page_with_a_plain_page(self, client, database_gone):
        response = client.get("/factchecks/")
        assert response.status_code == 503
        assert response.content.decode() == middleware.MESSAGE

    def test_it_logs_one_line_without_a_traceback(self, client, database_gone, caplog):
        client.get("/api/v1/ratings/")
        errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert [(record.name, record.exc_info) for record in errors] == [("factcheck.middleware", None)]
        message = errors[0].getMessage()
        assert "\n" not in message
        assert "GET /api/v1/ratings/" in message
        assert "Connection refused" in message

    def test_it_leaves_other_database_errors_to_the_usual_500(self, client):
        def broken(execute, sql, params, many, context):
            raise ProgrammingError('relation "claims_rating" does not exist')

        with connection.execute_wrapper(broken), pytest.raises(ProgrammingError):
            client.get("/api/v1/ratings/")


@contextlib.contextmanager
def app_server(database_url: str, log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn serving the app on a free port, as in production; stopped when the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command.append("--no-control-socket")  # else gunicorn opens its control socket in $HOME, shared with any other
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=PROJECT, env=app_env(database_url), stdout=log, stderr=log)
    try:
        wait_until(lambda: server.poll() is not None or answers(base), what="gunicorn to start")
        assert server.poll() is None, log_path.read_text()
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def answers(base: str) -> bool:
    try:
        requests.get(f"{base}/api/v1/ratings/", timeout=2)
    except requests.ConnectionError:
        return False
    return True


@needs_postgres_binaries
def test_the_server_answers_503_while_postgresql_is_down_and_recovers_without_a_restart(tmp_path):
    """A real gunicorn on a PostgreSQL cluster of the test's own, which the test crashes and starts again."""
    with private_postgres(PG_BIN) as cluster:
        database_url = cluster.create_database("factcheck")
        migrate(database_url)
        log_path = tmp_path / "gunicorn.log"
        with app_server(database_url, log_path) as (base, server):
            before = requests.get(f"{base}/api/v1/ratings/", timeout=10)
            assert before.status_code == 200
            assert len(before.json()) >= 5  # the default rating scale

            cluster.stop("immediate")
            api = requests.get(f"{base}/api/v1/ratings/", timeout=10)
            assert api.status_code == 503
            assert api.headers["Content-Type"] == "application/json"
            assert api.headers["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
            assert api.json() == UNAVAILABLE
            # Any session cookie makes Django look the session up before the admin decides anything.
            admin = requests.get(f"{base}/admin/claims/claim/", cookies={"sessionid": "x" * 32}, timeout=10)
            public = requests.get(f"{base}/factchecks/", timeout=10)
            for page in (admin, public):
                assert (page.status_code, page.text) == (503, middleware.MESSAGE)
                assert page.headers["Content-Type"] == "text/plain; charset=utf-8"
                assert page.headers["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)

            cluster.start()
            after = requests.get(f"{base}/api/v1/ratings/", timeout=10)
            assert after.status_code == 200
            assert after.json() == before.json()

            # The database drops the worker's persistent connection between two requests: the next
            # request must not use it (conn_health_checks), so it succeeds at once.
            cluster.stop("immediate")
            cluster.start()
            assert requests.get(f"{base}/api/v1/ratings/", timeout=10).status_code == 200
            assert server.poll() is None
        log = log_path.read_text()
    assert log.count("Booting worker") == 1, log  # the same worker throughout: nothing was restarted
    assert log.count("Database unavailable, answering 503") == 3, log
    assert "Traceback" not in log
