"""The app as production runs it, in processes of its own: ``manage.py`` commands and gunicorn, on a database URL.

Tests that take a database away or replicate it run the app this way, so that nothing of the test process
(its settings, its connections, its transaction) stands between the app and the database.
"""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from tests.private_postgres import free_port

PROJECT = Path(__file__).resolve().parent.parent


def wait_until(condition, *, what: str, timeout: float = 20, interval: float = 0.02):
    """``condition()``'s first true value, polled until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up after {timeout} s waiting for {what}.")
        time.sleep(interval)
    return result


def app_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production server on ``database_url``, over plain HTTP on 127.0.0.1, with ``settings``."""
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
        **settings,
    }


def manage(database_url: str, *args: str, timeout: float = 120, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=app_env(database_url, **settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def migrate(database_url: str, *, timeout: float = 120, **settings: str) -> None:
    result = manage(database_url, "migrate", "--verbosity", "0", timeout=timeout, **settings)
    assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def app_server(database_url: str, log_path: Path, **settings: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn serving the app on a free port, as in production; stopped when the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "factcheck.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command.append("--no-control-socket")  # else gunicorn opens its control socket in $HOME, shared with any other
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=PROJECT, env=app_env(database_url, **settings), stdout=log, stderr=log)
    try:
        wait_until(lambda: server.poll() is not None or answers(base), what="gunicorn to start", timeout=60)
        assert server.poll() is None, log_path.read_text()
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def answers(base: str, path: str = "/api/v1/ratings/") -> bool:
    try:
        requests.get(f"{base}{path}", timeout=2)
    except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its worker still booting
        return False
    return True
