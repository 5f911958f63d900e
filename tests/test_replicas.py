"""Read replicas: reads go to a replica, writes, locked reads and a client's own recent writes to the primary, and a
replica that falls behind or stops serves no reads (factcheck/replicas.py).

The rules that hold without a replica run in the test process on either database. The rest runs the app in
processes of its own against a real primary and a streaming replica of a private PostgreSQL cluster
(``pg_basebackup -R``), pausing its replay (``pg_wal_replay_pause()``) to make it fall behind, and stopping it.
"""

import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Iterator

import psycopg
import pytest
import requests
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection, router, transaction
from django.test import RequestFactory

from claims.models import Claim, Topic
from factcheck import replicas
from tests.app_processes import PROJECT, app_env, app_server, manage, wait_until
from tests.private_postgres import PrivateCluster, postgres_bin_dir, private_postgres, private_replica

PG_BIN = postgres_bin_dir()


class TestTheRulesThatNeedNoReplica:
    def test_migrations_run_on_the_primary_only(self):
        assert router.allow_migrate("default", "claims", model_name="claim") is True
        assert router.allow_migrate("replica_1", "claims", model_name="claim") is False
        assert router.allow_migrate("replica_1", "auth") is False

    @pytest.mark.django_db(transaction=True)  # else the test's own transaction holds every read on the primary
    def test_a_request_reads_from_its_replica_but_locked_reads_transactions_and_who_the_caller_is_from_the_primary(
        self,
    ):
        """The router's decisions, which the queries would follow: the request's replica is already chosen."""
        with replicas.reads_of_a_request(replicas.RequestReads(on_primary=False, replica="replica_1")):
            assert Claim.objects.all().db == "replica_1"
            assert get_user_model().objects.all().db == "default"
            with transaction.atomic():
                assert Claim.objects.all().db == "default"
            assert Claim.objects.all().db == "replica_1"
            assert router.db_for_write(Topic) == "default"
            assert Claim.objects.all().db == "default"  # once it has written
        assert Claim.objects.all().db == "default"  # outside a request

    def test_a_locked_read_goes_to_the_primary_as_a_write_does(self):
        with replicas.reads_of_a_request(replicas.RequestReads(on_primary=False, replica="replica_1")) as reads:
            assert Claim.objects.select_for_update().db == "default"
            assert Claim.objects.all().db == "default"
        assert reads.wrote

    def test_a_request_that_writes_or_follows_a_write_reads_from_the_primary(self):
        with replicas.reads_of_a_request(replicas.RequestReads(on_primary=True)):
            assert Claim.objects.all().db == "default"

    @pytest.mark.django_db
    def test_without_replicas_everything_is_on_the_one_database_and_no_cookie_is_set(self, client, editor):
        client.force_login(editor)
        response = client.post("/api/v1/topics/", {"name": "Trade", "slug": "trade"}, content_type="application/json")
        assert response.status_code == 201
        assert replicas.WROTE_COOKIE not in response.cookies
        assert Topic.objects.all().db == "default"
        assert "replicas" not in client.get("/readyz").json()

    @pytest.mark.parametrize(
        ("signed_seconds_ago", "wrote_recently"), [(0, True), (9, True), (11, False), (None, False)]
    )
    def test_the_cookie_counts_while_it_is_young_and_signed(
        self, settings, monkeypatch, signed_seconds_ago, wrote_recently
    ):
        settings.REPLICA_READ_YOUR_WRITES_SECONDS = 10
        value = "1"  # what a client could forge
        if signed_seconds_ago is not None:
            signed_at = time.time() - signed_seconds_ago
            monkeypatch.setattr(signing.time, "time", lambda: signed_at)
            value = signing.get_cookie_signer(salt=replicas.WROTE_COOKIE + replicas.WROTE_COOKIE_SALT).sign("1")
            monkeypatch.undo()
        request = RequestFactory().get("/", HTTP_COOKIE=f"{replicas.WROTE_COOKIE}={value}")
        assert replicas.ReadYourWritesMiddleware.wrote_recently(request) is wrote_recently


# With a real primary and replica.

LENIENT = {"REPLICA_MAX_LAG_SECONDS": "3600", "REPLICA_CHECK_SECONDS": "1", "REPLICA_READ_YOUR_WRITES_SECONDS": "3"}
STRICT = {**LENIENT, "REPLICA_MAX_LAG_SECONDS": "1"}


def scalar(url: str, sql: str, *params):
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(sql, params).fetchone()[0]


@dataclasses.dataclass
class Replicated:
    primary: PrivateCluster
    replica: PrivateCluster
    primary_url: str
    replica_url: str
    token: str

    def settings(self, **more: str) -> dict[str, str]:
        return {"DATABASE_REPLICA_URLS": self.replica_url, **more}

    def caught_up(self) -> bool:
        flushed = scalar(self.primary_url, "SELECT pg_current_wal_flush_lsn()")
        return scalar(self.replica_url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", flushed)


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    """A primary with an empty database, a replica copied from it, then the migrations applied with the replica
    configured: the replica receives the schema from the primary, never from ``migrate``."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "the replica tests run once, with the suite on PostgreSQL (DATABASE_URL=postgres://...): "
            "they start a PostgreSQL primary and replica of their own"
        )
    if PG_BIN is None:
        pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are missing; PG_BIN names them")
    with private_postgres(PG_BIN) as primary:
        primary_url = primary.create_database("factcheck")
        with private_replica(primary) as replica:
            replicated = Replicated(primary, replica, primary_url, replica.url("factcheck"), token="")
            for command in (["migrate", "--verbosity", "0"], ["ensure_admin"]):
                result = manage(primary_url, *command, **replicated.settings())
                assert result.returncode == 0, result.stderr
            issued = manage(primary_url, "issue_token", "admin", **replicated.settings())
            replicated.token = issued.stdout.strip()
            yield replicated


@pytest.fixture(scope="module")
def servers(replicated, tmp_path_factory) -> Iterator[dict[str, str]]:
    """Two servers of the app on the primary and replica: a lenient one, which reads from the replica however far
    behind, and a strict one, which stops reading from it one second behind; each measures it every second."""
    logs = tmp_path_factory.mktemp("servers")
    with (
        app_server(replicated.primary_url, logs / "lenient.log", **replicated.settings(**LENIENT)) as (lenient, _),
        app_server(replicated.primary_url, logs / "strict.log", **replicated.settings(**STRICT)) as (strict, _),
    ):
        for base in (lenient, strict):
            wait_until(lambda base=base: replica_status(base) == "ok", what="the replica to serve reads", timeout=30)
        yield {"lenient": lenient, "strict": strict}


def replica_status(base: str) -> str:
    return readyz(base)["replicas"]["replica_1"]["status"]


def readyz(base: str) -> dict:
    response = requests.get(f"{base}/readyz", timeout=10)
    assert response.status_code == 200, response.text  # a replica, whatever its state, leaves the app ready
    return response.json()


@pytest.fixture
def paused(replicated) -> Iterator[None]:
    """The replica receives the primary's changes but replays none of them until the test ends."""
    scalar(replicated.replica_url, "SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: scalar(replicated.replica_url, "SELECT pg_get_wal_replay_pause_state()") == "paused",
        what="replay to pause",
    )
    try:
        yield
    finally:
        scalar(replicated.replica_url, "SELECT pg_wal_replay_resume()")
        wait_until(replicated.caught_up, what="the replica to catch up")


class Api:
    """The API as a script calls it with the administrator's token: without cookies unless given a session."""

    def __init__(self, base: str, token: str, session: requests.Session | None = None):
        self.base, self.http = base, session or requests
        self.headers = {"Authorization": f"Token {token}"}

    def new_topic(self, slug: str) -> requests.Response:
        topic = {"name": slug.capitalize(), "slug": slug}
        response = self.http.post(f"{self.base}/api/v1/topics/", json=topic, headers=self.headers, timeout=10)
        assert response.status_code == 201, response.text
        return response

    def sees_topic(self, topic_id: int) -> bool:
        response = self.http.get(f"{self.base}/api/v1/topics/{topic_id}/", headers=self.headers, timeout=10)
        assert response.status_code in {200, 404}, response.text
        return response.status_code == 200


def stored_on(url: str, slug: str) -> bool:
    return scalar(url, "SELECT count(*) FROM claims_topic WHERE slug = %s", slug) == 1


def test_the_migrations_ran_on_the_primary_and_reached_the_replica_by_replication(replicated, servers):
    result = manage(replicated.primary_url, "migrate", "--check", **replicated.settings())
    assert result.returncode == 0, result.stdout + result.stderr
    applied = "SELECT count(*) FROM django_migrations"
    assert scalar(replicated.replica_url, applied) == scalar(replicated.primary_url, applied) > 0
    assert readyz(servers["strict"])["migrations"] == "ok"


def test_readyz_reports_a_replica_that_has_replayed_everything_as_not_behind_on_an_idle_primary(replicated, servers):
    """The time since the last transaction it replayed grows while nobody writes; it is not lag."""
    wait_until(replicated.caught_up, what="the replica to catch up")
    time.sleep(2.5)  # longer than the strict server's limit, with nothing written meanwhile
    assert readyz(servers["strict"])["replicas"] == {"replica_1": {"status": "ok", "lag_seconds": 0.0}}
    assert scalar(replicated.replica_url, "SELECT now() - pg_last_xact_replay_timestamp() > interval '2 s'")


def test_reads_go_to_the_replica_and_writes_to_the_primary(replicated, servers, paused):
    api = Api(servers["lenient"], replicated.token)
    topic = api.new_topic("reads-from-the-replica").json()  # a write sent to the read-only replica would fail
    assert stored_on(replicated.primary_url, topic["slug"])
    assert not stored_on(replicated.replica_url, topic["slug"])
    assert not api.sees_topic(topic["id"])  # the replica has not replayed it
    assert readyz(servers["lenient"])["replicas"]["replica_1"]["status"] == "ok"
    # An export streams from PostgreSQL's COPY in a transaction on the database it reads from: the replica.
    export = requests.get(f"{servers['lenient']}/api/v1/exports/verdicts.csv", timeout=10)
    assert export.status_code == 200, export.text
    assert export.text.startswith("verdict_id,claim_id,")


def test_a_client_that_wrote_reads_from_the_primary_until_the_time_is_up(replicated, servers, paused):
    own = Api(servers["lenient"], replicated.token, requests.Session())
    response = own.new_topic("my-own-write")
    assert f"{replicas.WROTE_COOKIE}=" in response.headers["Set-Cookie"]
    assert "Max-Age=3" in response.headers["Set-Cookie"]
    topic_id = response.json()["id"]

    assert own.sees_topic(topic_id)  # from the primary, on the strength of the cookie
    assert not Api(servers["lenient"], replicated.token).sees_topic(topic_id)  # another client reads the replica
    forged = requests.Session()
    forged.cookies.set(replicas.WROTE_COOKIE, "1")
    assert not Api(servers["lenient"], replicated.token, forged).sees_topic(topic_id)
    # The other server knows the cookie too: it is signed with the key they share, not kept in a process.
    assert Api(servers["strict"], replicated.token, own.http).sees_topic(topic_id)

    wait_until(lambda: not own.sees_topic(topic_id), what="the client's reads to go back to the replica", timeout=10)
    assert not stored_on(replicated.replica_url, "my-own-write")  # still paused: they did


def test_a_replica_too_far_behind_serves_no_reads_and_readyz_says_how_far(replicated, servers, paused):
    topic_id = Api(servers["strict"], replicated.token).new_topic("while-it-lags").json()["id"]
    lagging = wait_until(
        lambda: (state := readyz(servers["strict"])["replicas"]["replica_1"])["status"] == "lagging" and state,
        what="the strict server to find the replica lagging",
    )
    assert lagging["lag_seconds"] > 1
    assert Api(servers["strict"], replicated.token).sees_topic(topic_id)  # from the primary
    # Each server measures on its own clock: the lenient one may not have measured since the replica fell behind.
    lenient = wait_until(
        lambda: ((state := readyz(servers["lenient"])["replicas"]["replica_1"])["lag_seconds"] or 0) > 1 and state,
        what="the lenient server to measure the same lag",
    )
    assert lenient["status"] == "ok"
    assert not Api(servers["lenient"], replicated.token).sees_topic(topic_id)


def test_a_stopped_replica_serves_no_reads_and_every_request_still_answers(replicated, servers):
    api = {name: Api(base, replicated.token) for name, base in servers.items()}
    topic_id = api["lenient"].new_topic("while-it-is-down").json()["id"]
    wait_until(lambda: api["lenient"].sees_topic(topic_id), what="the replica to replay the topic")
    replicated.replica.stop("immediate")
    try:
        # The servers' connections to the replica are broken, and their last measure still says it serves reads.
        for _ in range(5):
            for name in servers:
                assert api[name].sees_topic(topic_id)
                assert requests.get(f"{servers[name]}/api/v1/ratings/", timeout=10).status_code == 200
        for base in servers.values():
            # Each process measures its replicas every REPLICA_CHECK_SECONDS, in a thread of its own.
            wait_until(
                lambda base=base: replica_status(base) == "unavailable: OperationalError",
                what="the next measure to find the replica down",
            )
            assert readyz(base)["replicas"]["replica_1"]["lag_seconds"] is None
    finally:
        replicated.replica.start()
    for base in servers.values():
        wait_until(lambda base=base: replica_status(base) == "ok", what="the replica to serve reads again")


def test_the_apps_own_code_keeps_locked_reads_transactions_and_writes_on_the_primary(replicated, paused):
    """The workflow locks its claim in a transaction: it finds a claim the replica lacks, and a read inside the
    transaction goes where the lock is. A streamed response reads from the request's replica."""
    probe = subprocess.run(
        [sys.executable, "-m", "tests.replica_probe", "admin"],
        cwd=PROJECT,
        env=app_env(replicated.primary_url, **replicated.settings(**LENIENT)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == {
        "read": "replica_1",
        "claim found": False,
        "user read": "default",
        "read in a transaction": "default",
        "claim found in a transaction": True,
        "moved to": Claim.Status.CHECKWORTHY,
        "read after writing": "default",
        "read outside a request": "default",
        "streamed read": "replica_1",
    }
