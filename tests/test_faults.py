"""Faults: the database going away under the running app, and imports killed halfway through."""

import contextlib
import json
import logging
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
import yaml
from django.core.management import CommandError, call_command
from django.db import OperationalError, ProgrammingError, connection

from claims.models import Claim, Source, Speaker
from factcheck import middleware
from tests.app_processes import PROJECT, app_env, app_server, manage, migrate, wait_until
from tests.private_postgres import PrivateDatabases, postgres_bin_dir, private_postgres

PG_BIN = postgres_bin_dir()
needs_postgres_binaries = pytest.mark.skipif(
    PG_BIN is None, reason="the PostgreSQL server binaries (initdb, pg_ctl) are missing; PG_BIN names their folder"
)

UNAVAILABLE = {
    "status": 503,
    "detail": middleware.MESSAGE,
    "errors": [{"field": None, "code": "database_unavailable", "message": middleware.MESSAGE}],
}


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
            ready = requests.get(f"{base}/readyz", timeout=10)
            assert (ready.status_code, ready.json()["database"]) == (503, "unavailable: OperationalError")
            assert requests.get(f"{base}/healthz", timeout=10).status_code == 200  # the process itself is fine

            cluster.start()
            after = requests.get(f"{base}/api/v1/ratings/", timeout=10)
            assert after.status_code == 200
            assert after.json() == before.json()
            assert requests.get(f"{base}/readyz", timeout=10).json()["status"] == "ok"

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


# Imports and seed loads killed halfway: a subprocess of manage.py on a database of the test's own,
# SIGKILLed while it is held inside an open transaction, then run again.

SEED_FILE = PROJECT / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml"
RECORDS, BATCH_SIZE, SPEAKERS, PAGES = 300, 10, 7, 11


class SqliteDatabase:
    """A migrated SQLite file; read with the sqlite3 module, as the app's own connection would interfere."""

    def __init__(self, path: Path):
        self.path, self.url = path, f"sqlite:///{path}"

    def scalar(self, sql: str):
        with contextlib.closing(sqlite3.connect(self.path, timeout=10)) as db:
            return db.execute(sql).fetchone()[0]

    @contextlib.contextmanager
    def writer_held_open(self, process: subprocess.Popen, *, table: str, written: str) -> Iterator[None]:
        """Keep ``process`` inside a write transaction it has begun: in rollback-journal mode a reader's shared
        lock keeps a writer from committing, and the journal exists once it has written."""
        reader = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM claims_claim").fetchone()
            journal = self.path.with_name(f"{self.path.name}-journal")
            wait_until(lambda: process.poll() is not None or journal.exists(), what="the writer to write")
            assert process.poll() is None, "the writer ended before it could be held"
            yield
        finally:
            reader.close()

    def settle(self) -> None:
        """Nothing to wait for: the next connection rolls the killed writer's journal back."""


class PostgresDatabase:
    """A migrated database on the suite's PostgreSQL server, under a name of its own."""

    def __init__(self, url: str):
        self.url = url

    def scalar(self, sql: str):
        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(sql).fetchone()[0]

    @contextlib.contextmanager
    def writer_held_open(self, process: subprocess.Popen, *, table: str, written: str) -> Iterator[None]:
        """Keep ``process`` inside its open transaction: a SHARE lock on ``table`` stops its first write there,
        and pg_locks shows that by then it has written to ``written`` in the same transaction."""
        held = f"""SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
            WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
            AND l.relation = '{written}'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted"""  # noqa: S608 (our own table names)
        with psycopg.connect(self.url) as locker:
            locker.execute(f"LOCK TABLE {table} IN SHARE MODE")
            wait_until(lambda: process.poll() is not None or self.scalar(held), what=f"the writer to wait on {table}")
            assert process.poll() is None, "the writer ended before it could be held"
            yield

    def settle(self) -> None:
        """Wait until the server has noticed the killed client and rolled its transaction back."""
        others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        wait_until(lambda: self.scalar(others) == 0, what="the killed client's session to end")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated_template(request, tmp_path_factory):
    """A migrated database to copy for each test: a SQLite file, or the URL of a PostgreSQL template database."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate(f"sqlite:///{path}")
        yield path
        return
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL variant runs when the suite does, with DATABASE_URL=postgres://...")
    databases = PrivateDatabases("factcheck_faults_template")
    try:
        url = databases.create()
        migrate(url)
        yield url
    finally:
        databases.drop_all()


@pytest.fixture
def own_database(migrated_template, tmp_path):
    """A fresh copy of the migrated database, for this test alone; a PostgreSQL one is dropped afterwards."""
    if isinstance(migrated_template, Path):
        path = tmp_path / "factcheck.sqlite3"
        shutil.copy(migrated_template, path)
        yield SqliteDatabase(path)
        return
    databases = PrivateDatabases("factcheck_faults")
    try:
        yield PostgresDatabase(databases.create(template=migrated_template))
    finally:
        databases.drop_all()


def claim_review_feed(count: int) -> list[dict]:
    """``count`` fact-checks of different statements by a few speakers on a few pages; one label is not on the
    scale, so that a batch also creates a rating."""
    labels = ["False", "Mostly false", "Half true", "Distorted"]
    return [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"https://checker.example/fact-checks/{number}",
            "claimReviewed": f"Exports grew by {number} percent last year",
            "headline": f"Exports did not grow by {number} percent",
            "datePublished": "2024-03-02T10:00:00Z",
            "inLanguage": "en",
            "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"},
            "reviewRating": {"@type": "Rating", "alternateName": labels[number % len(labels)]},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": f"Speaker {number % SPEAKERS}"},
                "datePublished": "2024-02-20",
                "appearance": {
                    "@type": "CreativeWork",
                    "url": f"https://news.example/stories/{number % PAGES}",
                    "headline": f"Story {number % PAGES}",
                },
            },
        }
        for number in range(count)
    ]


# Each query counts the rows of one kind that a half-written fact-check would leave behind.
HALF_WRITTEN = {
    "claims without a verdict": "SELECT count(*) FROM claims_claim c "
    "WHERE NOT EXISTS (SELECT 1 FROM claims_verdict v WHERE v.claim_id = c.id)",
    "claims without a current verdict": "SELECT count(*) FROM claims_claim WHERE current_verdict_id IS NULL",
    "claims without their source or speaker": "SELECT count(*) FROM claims_claim c "
    "LEFT JOIN claims_source s ON s.id = c.source_id LEFT JOIN claims_speaker p ON p.id = c.speaker_id "
    "WHERE s.id IS NULL OR p.id IS NULL",
    "sources of no claim": "SELECT count(*) FROM claims_source s "
    "WHERE NOT EXISTS (SELECT 1 FROM claims_claim c WHERE c.source_id = s.id)",
    "speakers of no claim": "SELECT count(*) FROM claims_speaker p "
    "WHERE NOT EXISTS (SELECT 1 FROM claims_claim c WHERE c.speaker_id = p.id)",
    **{
        f"{table}s without history": f"SELECT count(*) FROM claims_{table} r "  # noqa: S608 (our own names)
        f"WHERE NOT EXISTS (SELECT 1 FROM claims_historical{table} h WHERE h.id = r.id)"
        for table in ("claim", "verdict", "source", "speaker")
    },
    # The default scale comes from a data migration, which records no history; the import's own rating has one.
    "new ratings without history": "SELECT count(*) FROM claims_rating r WHERE r.label = 'Distorted' "
    "AND NOT EXISTS (SELECT 1 FROM claims_historicalrating h WHERE h.id = r.id)",
}


def kill_inside_its_transaction(process, db, *, table, written, after=None, after_what=""):
    """SIGKILL ``process`` (once ``after()`` holds) while ``db.writer_held_open`` keeps it inside a transaction."""
    try:
        if after:
            wait_until(lambda: process.poll() is not None or after(), what=after_what)
        with db.writer_held_open(process, table=table, written=written):
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    db.settle()


def half_written(db) -> dict[str, int]:
    return {problem: db.scalar(sql) for problem, sql in HALF_WRITTEN.items()}


def test_an_import_killed_halfway_leaves_whole_fact_checks_and_completes_when_run_again(own_database, tmp_path):
    """The import is SIGKILLed once some batches are committed, while it is held in the middle of the next one
    (its claims written, its verdicts not yet): only whole batches remain, and running it again adds the rest."""
    db = own_database
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(claim_review_feed(RECORDS)), encoding="utf-8")
    command = [sys.executable, "manage.py", "import_claimreview", str(feed), "--batch-size", str(BATCH_SIZE)]
    importer = subprocess.Popen(command, cwd=PROJECT, env=app_env(db.url), stdout=subprocess.DEVNULL)
    verdicts = "SELECT count(*) FROM claims_verdict"
    kill_inside_its_transaction(
        importer,
        db,
        after=lambda: db.scalar(verdicts),
        after_what="a batch to be committed",
        table="claims_verdict",
        written="claims_claim",
    )

    committed = db.scalar("SELECT count(*) FROM claims_verdict")
    assert 0 < committed < RECORDS
    assert committed % BATCH_SIZE == 0  # whole batches only
    assert db.scalar("SELECT count(*) FROM claims_claim") == committed
    assert half_written(db) == dict.fromkeys(HALF_WRITTEN, 0)

    rerun = subprocess.run(command, cwd=PROJECT, env=app_env(db.url), capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert (
        f"{RECORDS} fact-checks read: {RECORDS - committed} imported, {committed} already imported, 0 skipped."
        in rerun.stdout
    )
    assert half_written(db) == dict.fromkeys(HALF_WRITTEN, 0)
    assert {
        "claims": db.scalar("SELECT count(*) FROM claims_claim"),
        "distinct claims": db.scalar("SELECT count(*) FROM (SELECT DISTINCT source_id, text FROM claims_claim) d"),
        "verdicts": db.scalar("SELECT count(*) FROM claims_verdict"),
        "distinct verdicts": db.scalar("SELECT count(DISTINCT url) FROM claims_verdict"),
        "speakers": db.scalar("SELECT count(*) FROM claims_speaker"),
        "sources": db.scalar("SELECT count(*) FROM claims_source"),
        "new ratings": db.scalar("SELECT count(*) FROM claims_rating WHERE label = 'Distorted'"),
    } == {
        "claims": RECORDS,
        "distinct claims": RECORDS,
        "verdicts": RECORDS,
        "distinct verdicts": RECORDS,
        "speakers": SPEAKERS,
        "sources": PAGES,
        "new ratings": 1,
    }


SEED_TABLES = ("claims_source", "claims_speaker", "claims_topic", "claims_claim", "claims_claim_topics")


def seed_rows(db) -> dict[str, int]:
    tables = [*SEED_TABLES, "claims_historicalclaim", "claims_historicalsource"]
    return {table: db.scalar(f"SELECT count(*) FROM {table}") for table in tables}  # noqa: S608 (our own names)


def test_a_seed_load_killed_inside_its_transaction_leaves_nothing_and_loads_completely_when_run_again(own_database):
    """``load_seed`` is SIGKILLed inside its one transaction, after it has written rows.

    A kill rather than an injected exception: test_seed already shows that an error rolls the load back,
    but a kill (a deploy, the OOM killer) runs no Python at all, so only the database's transaction can
    keep the rows out. The test holds the loader inside that transaction, so the kill cannot land before
    it or after its commit. On PostgreSQL a SHARE lock on claims_claim stops its first claim INSERT, and
    pg_stat_activity/pg_locks show it waiting there with sources already written: were the load not one
    transaction, those sources would be committed and the test would fail. SQLite cannot stop a writer
    between statements, only at a commit (a reader's shared lock, in rollback-journal mode): its journal
    shows it has written, but a load committing row by row would be stopped at its first commit too, so
    there the variant shows the kill leaves nothing and the rerun completes, not that the load is atomic.
    """
    db = own_database
    loader = subprocess.Popen(
        [sys.executable, "manage.py", "load_seed"], cwd=PROJECT, env=app_env(db.url), stdout=subprocess.DEVNULL
    )
    kill_inside_its_transaction(loader, db, table="claims_claim", written="claims_source")
    assert seed_rows(db) == dict.fromkeys(seed_rows(db), 0)

    rerun = manage(db.url, "load_seed")
    assert rerun.returncode == 0, rerun.stderr
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    loaded = seed_rows(db)
    assert {table: loaded[table] for table in SEED_TABLES[:4]} == {
        "claims_source": 1 + len(seed["first_appearances"]),
        "claims_speaker": len(seed["speakers"]),
        "claims_topic": len(seed["topics"]),
        "claims_claim": len(seed["claims"]),
    }
    assert loaded["claims_claim_topics"] == sum(len(claim["topics"]) for claim in seed["claims"])
    assert "already loaded, nothing changed" in manage(db.url, "load_seed").stdout
    assert seed_rows(db) == loaded


@pytest.mark.django_db
def test_a_seed_command_with_a_bad_file_loads_none_of_its_files(tmp_path):
    """The command loads all its files in one transaction, as its error message ("nothing was changed") says."""
    shutil.copy(SEED_FILE.with_suffix(".txt"), tmp_path)
    text = SEED_FILE.read_text(encoding="utf-8")
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(text, encoding="utf-8")
    bad.write_text(text.replace("speaker: afp\n", "speaker: nobody\n", 1), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Seed not loaded, nothing was changed\..*unknown speaker 'nobody'"):
        call_command("load_seed", str(good), str(bad))
    assert (Source.objects.count(), Speaker.objects.count(), Claim.objects.count()) == (0, 0, 0)
