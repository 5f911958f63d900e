"""Backup and restore (``make backup``, ``make restore FILE=...``, bin/database), drilled on private PostgreSQL
databases: the tests create their own on the server of DATABASE_URL and drop them afterwards, whatever happens."""

import os
import re
import shutil
import stat
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.private_postgres import PrivateDatabases

PROJECT = Path(settings.BASE_DIR)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
ONLY_POSTGRES = "the backup drill dumps and restores PostgreSQL: run with DATABASE_URL=postgres://..."
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason=ONLY_POSTGRES)

# Workflow moves by named people, so that the history has authors, changes and a deletion besides the seed's rows.
WORKFLOW_MOVES = """
from django.contrib.auth import get_user_model
from claims import workflow
from claims.models import Claim, Evidence, Rating, Verdict

users = get_user_model().objects
editor, second_editor = users.get(username="demo-editor-1"), users.get(username="demo-editor-2")
reviewer = users.get(username="demo-reviewer-1")
published, rejected, checkworthy = Claim.objects.filter(status="new").order_by("pk")[:3]
workflow.claim_mark_checkworthy(claim=published, user=editor)
workflow.claim_assign(claim=published, user=editor, assignee=reviewer)
verdict = Verdict(claim=Claim.objects.get(pk=published.pk), rating=Rating.objects.get(slug="mostly-false"),
                  headline="Russia's presence in Venezuela is small", summary="Advisers number in the dozens.")
verdict = workflow.verdict_create(verdict=verdict, author=reviewer)
verdict = workflow.verdict_submit(verdict=verdict, user=reviewer)
workflow.verdict_publish(verdict=verdict, editor=second_editor)
workflow.claim_reject(claim=rejected, user=editor, reason="Opinion, not a checkable fact.")
workflow.claim_mark_checkworthy(claim=checkworthy, user=second_editor)
evidence = Evidence.objects.create(claim=checkworthy, title="A table that turned out irrelevant")
evidence._history_user = editor
evidence.delete()  # evidence no verdict cites yet, so it may go, on record
"""


def make(target: str, *args: str, **env: str | None) -> subprocess.CompletedProcess:
    """Run a make target in the project as a user would; a variable given as None is removed from the environment."""
    environment = {name: value for name, value in {**os.environ, **env}.items() if value is not None}
    command = ["make", "--no-print-directory", target, *args]
    return subprocess.run(command, cwd=PROJECT, env=environment, capture_output=True, text=True, check=False)


def manage(database_url: str, *args: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=PROJECT, env=environment, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def databases():
    if not ON_POSTGRES:
        pytest.skip(ONLY_POSTGRES)
    private = PrivateDatabases("factcheck_backup_drill")
    try:
        yield private
    finally:
        private.drop_all()


@pytest.fixture(scope="module")
def newsroom_database(databases) -> str:
    """A migrated database with the seed article, a demo corpus, workflow history and an API token."""
    url = databases.create()
    manage(url, "migrate", "--verbosity", "0")
    manage(url, "load_seed")
    manage(url, "generate_demo", "--claims", "50")
    manage(url, "shell", "--command", WORKFLOW_MOVES)
    manage(url, "issue_token", "demo-editor-1")
    return url


@pytest.fixture(scope="module")
def backup(newsroom_database, tmp_path_factory) -> Path:
    """What ``make backup`` wrote from the newsroom's database, and printed."""
    backup_dir = tmp_path_factory.mktemp("backups")
    result = make("backup", DATABASE_URL=newsroom_database, BACKUP_DIR=str(backup_dir))
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


@pytest.fixture
def restored(databases, backup) -> str:
    """A new database into which the backup was restored."""
    url = databases.create()
    result = make("restore", f"FILE={backup}", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return url


ROWS = sql.SQL("SELECT count(*), md5(string_agg(t::text, chr(10) ORDER BY t::text)) FROM {} t")
HISTORY = sql.SQL(
    "SELECT history_id, id, history_date, history_type, history_user_id, history_change_reason FROM {} ORDER BY 1"
)


def snapshot(database_url: str) -> dict:
    """Every table's row count and a digest of its rows, each history row's who, when and what, and the sequences."""
    counts, digests, history = {}, {}, {}
    with psycopg.connect(database_url) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
        for (table,) in tables:
            counts[table], digests[table] = conn.execute(ROWS.format(sql.Identifier(table))).fetchone()
            if table.startswith("claims_historical") and table != "claims_historicalclaim_topics":
                history[table] = conn.execute(HISTORY.format(sql.Identifier(table))).fetchall()
        sequences = dict(conn.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1").fetchall())
    return {"counts": counts, "digests": digests, "history": history, "sequences": sequences}


def execute(database_url: str, sql: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql)


@needs_postgres
def test_it_restores_a_dropped_database_from_its_backup_with_every_row_and_the_whole_history(
    databases, newsroom_database, backup
):
    before = snapshot(newsroom_database)
    databases.drop(newsroom_database)
    databases.create(urllib.parse.urlsplit(newsroom_database).path.lstrip("/"))

    result = make("restore", f"FILE={backup}", DATABASE_URL=newsroom_database)

    assert result.returncode == 0, result.stderr
    assert f"Restored {backup} into database " in result.stderr
    after = snapshot(newsroom_database)
    assert after["counts"] == before["counts"]
    assert after["history"] == before["history"]
    assert after == before  # the rows themselves, and the sequences that number the next ones
    for table in ("claims_claim", "claims_historicalclaim", "claims_historicalverdict", "auth_user", "knox_authtoken"):
        assert after["counts"][table] > 0, f"{table} is empty: the drill would prove nothing about it"
    history_types = {row[3] for rows in after["history"].values() for row in rows}
    assert history_types == {"+", "~", "-"}
    assert any(row[4] is not None for row in after["history"]["claims_historicalverdict"])
    manage(newsroom_database, "migrate", "--check")  # the app finds its schema up to date
    with psycopg.connect(newsroom_database) as conn:  # and the planner its statistics, which search reads
        assert conn.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'claims_claim'").fetchone()[0] > 0


@needs_postgres
def test_it_writes_one_private_file_named_by_the_utc_time(backup):
    assert re.fullmatch(r"factcheck-\d{8}T\d{6}Z\.dump", backup.name)
    assert list(backup.parent.iterdir()) == [backup]  # no temporary file left beside it
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds password hashes and session keys
    assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format


@needs_postgres
def test_a_failed_backup_leaves_no_file(databases, tmp_path):
    result = make("backup", DATABASE_URL=databases.url("factcheck_backup_no_such_database"), BACKUP_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "Backup failed" in result.stderr
    assert list(tmp_path.iterdir()) == []


@needs_postgres
def test_it_replaces_a_database_that_holds_tables_only_when_forced(restored, backup):
    original = snapshot(restored)
    execute(restored, "DELETE FROM claims_claim_topics; DELETE FROM knox_authtoken")  # an accident to undo
    damaged = snapshot(restored)

    refused = make("restore", f"FILE={backup}", DATABASE_URL=restored)

    assert refused.returncode != 0
    assert "already holds" in refused.stderr
    assert "FORCE=1" in refused.stderr
    assert snapshot(restored) == damaged

    forced = make("restore", f"FILE={backup}", "FORCE=1", DATABASE_URL=restored)

    assert forced.returncode == 0, forced.stderr
    assert snapshot(restored) == original


@needs_postgres
def test_it_refuses_a_database_with_tables_the_backup_lacks(restored, backup):
    execute(restored, "CREATE TABLE claims_newer (id integer)")  # as a later migration would
    before = snapshot(restored)

    result = make("restore", f"FILE={backup}", "FORCE=1", DATABASE_URL=restored)

    assert result.returncode != 0
    assert "public.claims_newer" in result.stderr
    assert snapshot(restored) == before


@pytest.fixture(params=["truncated", "not a dump"])
def broken_backup(request, backup, tmp_path) -> Path:
    path = tmp_path / "broken.dump"
    if request.param == "truncated":
        # Its table of contents is whole, so pg_restore starts dropping and loading before it fails.
        path.write_bytes(backup.read_bytes()[: backup.stat().st_size * 9 // 10])
        listing = subprocess.run([shutil.which("pg_restore"), "--list", str(path)], capture_output=True, check=False)
        assert listing.returncode == 0, listing.stderr
    else:
        path.write_text("SELECT 1;\n")
    return path


@needs_postgres
def test_a_failed_restore_leaves_the_database_as_it_was(restored, broken_backup):
    execute(restored, "DELETE FROM knox_authtoken")  # a state that differs from the backup's
    before = snapshot(restored)

    result = make("restore", f"FILE={broken_backup}", "FORCE=1", DATABASE_URL=restored)

    assert result.returncode != 0
    assert "nothing was restored" in result.stderr or "left as it was" in result.stderr
    assert snapshot(restored) == before


def test_backups_stay_out_of_the_repository_and_the_image():
    """The default BACKUP_DIR holds password hashes, drafts and internal notes: never committed, never built in."""
    for ignore_file in (".gitignore", ".dockerignore"):
        patterns = (PROJECT / ignore_file).read_text().split()
        assert {"backups", "backups/"} & set(patterns), f"{ignore_file} does not leave out backups/"


# The refusals come before any connection: they hold on every machine, with or without PostgreSQL.


@pytest.mark.parametrize(
    ("database_url", "advice"),
    [(None, "DATABASE_URL is not set, so the app uses SQLite"), ("sqlite:///db.sqlite3", "DATABASE_URL is a sqlite")],
)
def test_it_refuses_to_back_up_anything_but_postgresql_and_says_how_to_copy_sqlite(tmp_path, database_url, advice):
    result = make("backup", DATABASE_URL=database_url, BACKUP_DIR=str(tmp_path / "backups"))

    assert result.returncode != 0
    assert advice in result.stderr
    assert ".backup" in result.stderr  # sqlite3's online copy
    assert not (tmp_path / "backups").exists()


def test_it_refuses_to_restore_into_anything_but_postgresql(tmp_path):
    dump = tmp_path / "factcheck.dump"
    dump.write_bytes(b"PGDMP")

    result = make("restore", f"FILE={dump}", DATABASE_URL="sqlite:///db.sqlite3")

    assert result.returncode != 0
    assert "DATABASE_URL is a sqlite URL" in result.stderr


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Which dump? make restore FILE="),
        ("missing.dump", "Cannot read missing.dump"),
        (".", "Cannot read ."),  # a directory
    ],
)
def test_it_refuses_to_restore_without_a_readable_file(file, message):
    args = [] if file is None else [f"FILE={file}"]

    result = make("restore", *args, DATABASE_URL="postgres://nobody@127.0.0.1:1/never_reached")

    assert result.returncode != 0
    assert message in result.stderr
