"""What every benchmark shares: its own PostgreSQL database, a gunicorn server, timing and the results file.

Benchmarks compare against a baseline measured in the same run: these machines are noisy, so a
ratio means something where a single absolute time does not.
"""

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results.json"


def bench_database_url(claims: int) -> str:
    """A database of the server in DATABASE_URL, named for the benchmark size: never the app's own."""
    app_url = os.environ.get("DATABASE_URL", "")
    parsed = urllib.parse.urlsplit(app_url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/anydb (its server is used).")
    return urllib.parse.urlunsplit(parsed._replace(path=f"/factcheck_bench_{claims}"))


def django_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"}


def manage(database_url: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=django_env(database_url), check=True)


def prepare_database(claims: int) -> str:
    """Create and fill the benchmark database for ``claims`` claims, or reuse it if an earlier run did."""
    url = bench_database_url(claims)
    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    server = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and _is_filled(url, claims):
            print(f"Reusing database {name} ({claims:,} synthetic claims).", file=sys.stderr)
            manage(url, "migrate", "--verbosity", "0")  # the code under test may have moved on
            return url
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"Filling database {name} with {claims:,} synthetic claims...", file=sys.stderr)
    manage(url, "migrate", "--verbosity", "0")
    manage(url, "generate_demo", "--claims", str(claims))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def _is_filled(url: str, claims: int) -> bool:
    with psycopg.connect(url) as conn:
        try:
            count = conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0]
        except psycopg.Error:
            return False
    return count == claims


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2, threads: int = 1, env: dict[str, str] | None = None):
    """The app under gunicorn on a loopback port, with the project's gunicorn.conf.py as in production; yields the port.

    ``workers`` processes; ``threads`` above 1 makes them the production's gthread workers, each serving that
    many requests at once, and 1 sync workers. ``env`` adds settings (a pool, say) to the server's environment.
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "bench.wsgi"]
    if threads == 1:
        command += ["--worker-class", "sync"]
    command += ["--access-logfile", "/dev/null", "--log-level", "warning"]
    server_env = {
        **django_env(database_url),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        **(env or {}),
    }
    server = subprocess.Popen(command, cwd=ROOT, env=server_env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, "/api/v1/ratings/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def throughput(port: int, paths: list[str], *, seconds: float, concurrency: int) -> dict[str, float]:
    """Requests per second that ``concurrency`` clients get through, each cycling through ``paths``."""
    done, errors = [0] * concurrency, [0] * concurrency
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        position = index
        while time.monotonic() < stop:
            status, _ = get(port, paths[position % len(paths)])
            position += concurrency
            if status == 200:
                done[index] += 1
            else:
                errors[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests_per_second": sum(done) / elapsed, "errors": sum(errors)}


def latencies_ms(port: int, paths: list[str], *, repeat: int = 1) -> list[float]:
    """Client-side latency of each request, one at a time."""
    timings = []
    for _ in range(repeat):
        for path in paths:
            started = time.perf_counter()
            status, body = get(port, path)
            timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
    return timings


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:  # statistics.quantiles needs two; one request is its own every percentile
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def save_results(figures: dict[str, float | int | str]) -> None:
    """Merge this benchmark's figures into bench-results.json, one key per measure."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    print("-" * (width + 24))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def request_queries(path: str) -> list[dict]:
    """The SQL queries that one GET of ``path`` runs, through Django in this process (set up by the caller)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return captured.captured_queries


def run_measurement(module: str, database_url: str, *args: str) -> dict:
    """Run ``python -m module --measure ...`` in a process of its own against ``database_url``; its JSON result."""
    result = subprocess.run(
        [sys.executable, "-m", module, "--measure", *args],
        cwd=ROOT,
        env=django_env(database_url),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)


def shared(variable: str, *relative: str) -> Path:
    """A data folder: where ``variable`` says, else beside the checkout, else in /work/shared."""
    if os.environ.get(variable):
        return Path(os.environ[variable])
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        if base.joinpath(*relative).is_dir():
            return base.joinpath(*relative)
    return ROOT.parent.joinpath("shared", *relative)
