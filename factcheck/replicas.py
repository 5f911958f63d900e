"""Reads from PostgreSQL's streaming replicas, writes to the primary (README, "Operating it", "Read replicas").

With DATABASE_REPLICA_URLS set, the settings add each replica as a database alias (``replica_1``, ...)
listed in REPLICA_DATABASES. ``ReplicaRouter`` is the one place that decides where a query goes:

- Writes, migrations and locked reads go to the primary (Django routes ``select_for_update``,
  ``get_or_create`` and the like as writes).
- Reads go to the primary too outside a web request (commands and jobs read and then write, and
  nothing tells them what they wrote before), inside a transaction on the primary (what it reads it
  may write back: the workflow's moves, the admin's and the API's saves), for the apps that say who the
  caller is and what they may do (a token revoked or a session ended stops working at once, and a
  token issued by one request authenticates the next), during a request that writes (any method but
  GET, HEAD, OPTIONS and TRACE, or once it has written), and for a client that wrote less than
  REPLICA_READ_YOUR_WRITES_SECONDS ago. That last one is a signed cookie, so that whichever server the
  client reaches next knows it.
- Every other read of a request goes to one replica, the same for the whole request (a streamed export
  too), chosen at random among those that answer and were at most REPLICA_MAX_LAG_SECONDS behind when
  last measured; with none, to the primary. A replica that stops or falls behind costs no request.

Each process measures its replicas every REPLICA_CHECK_SECONDS in a thread of its own, so that no
request waits for a measure; ``/readyz`` reports what it found.
"""

import contextlib
import random
import threading
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PRIMARY = DEFAULT_DB_ALIAS
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Users, groups and permissions, sessions, API tokens, login lock-outs.
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "knox", "axes"})
WROTE_COOKIE = "wrote_recently"
WROTE_COOKIE_SALT = "factcheck.replicas.read-your-writes"


@dataclass
class RequestReads:
    """Where one request reads: the primary once ``on_primary``, else ``replica``, chosen at its first read."""

    on_primary: bool
    replica: str | None = None
    wrote: bool = False


_request_reads: ContextVar[RequestReads | None] = ContextVar("request_reads", default=None)


@contextlib.contextmanager
def reads_of_a_request(reads: RequestReads) -> Iterator[RequestReads]:
    """Route the queries made inside the block as those of a web request that reads as ``reads`` says."""
    token = _request_reads.set(reads)
    try:
        yield reads
    finally:
        _request_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        reads = _request_reads.get()
        if (
            reads is None
            or reads.on_primary
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        if reads.replica is None:
            reads.replica = _choose_replica()
        return reads.replica

    def db_for_write(self, model, **hints) -> str:
        if reads := _request_reads.get():
            reads.on_primary = reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Every alias holds the same rows: a claim read from a replica may point at a speaker read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # A replica is read-only: it receives the primary's schema with the rest of its WAL.
        return db == PRIMARY


class ReadYourWritesMiddleware:
    """Tells the router how each request reads, and marks a client that wrote with a signed cookie that sends its
    reads to the primary for REPLICA_READ_YOUR_WRITES_SECONDS, on every server of the app."""

    def __init__(self, get_response):
        if not settings.REPLICA_DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        with reads_of_a_request(RequestReads(on_primary=writes or self.wrote_recently(request))) as reads:
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = _streamed(response.streaming_content, reads)
        if writes or reads.wrote:
            response.set_signed_cookie(
                WROTE_COOKIE,
                "1",
                salt=WROTE_COOKIE_SALT,
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def wrote_recently(request) -> bool:
        # The signature carries the time it was made: a cookie kept past its age, or forged, counts for nothing.
        max_age = settings.REPLICA_READ_YOUR_WRITES_SECONDS
        return request.get_signed_cookie(WROTE_COOKIE, None, salt=WROTE_COOKIE_SALT, max_age=max_age) is not None


def _streamed(chunks: Iterable[bytes], reads: RequestReads) -> Iterator[bytes]:
    """The chunks of a streamed response, each made with the request's reads: the body is made after the
    middleware has returned, and an export should read from the replica its request chose."""
    chunks = iter(chunks)
    while True:
        with reads_of_a_request(reads):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


@dataclass(frozen=True)
class ReplicaState:
    status: str  # OK when it serves reads, else why not
    lag_seconds: float | None = None

    @property
    def serves_reads(self) -> bool:
        return self.status == OK


OK = "ok"
NOT_MEASURED = ReplicaState("not measured yet")

# Whether the replica has replayed everything the primary had flushed when asked (the primary may be idle, so
# the time since the last transaction it replayed says nothing then), else that time, which bounds how old
# a write it misses can be. NULL when it has replayed none since it started.
LAG_SQL = """SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,
    extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8"""


def measure_replicas() -> dict[str, ReplicaState]:
    """Each replica's state now, measured against the primary's flushed WAL."""
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn()")
            (flushed,) = cursor.fetchone()
    except DatabaseError as error:
        connections[PRIMARY].close()
        return dict.fromkeys(settings.REPLICA_DATABASES, ReplicaState(f"unknown: the primary {_failed(error)}"))
    return {alias: _measure(alias, flushed) for alias in settings.REPLICA_DATABASES}


def _measure(alias: str, flushed: str) -> ReplicaState:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL, [flushed])
            in_recovery, caught_up, behind = cursor.fetchone()
    except DatabaseError as error:
        connection.close()
        return ReplicaState(_failed(error))
    if not in_recovery:
        return ReplicaState("not a replica: the server is not in recovery (promoted, or not a standby)")
    if caught_up:
        return ReplicaState(OK, 0.0)
    lag = None if behind is None else round(behind, 3)
    return ReplicaState("lagging" if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS else OK, lag)


def _failed(error: DatabaseError) -> str:
    return f"unavailable: {error.__class__.__name__}"


_states: dict[str, ReplicaState] = {}
_monitor: threading.Thread | None = None
_monitor_started = threading.Lock()


def replica_states() -> dict[str, ReplicaState]:
    """Each replica's state as this process last measured it."""
    _ensure_monitor()
    return {alias: _states.get(alias, NOT_MEASURED) for alias in settings.REPLICA_DATABASES}


def _ensure_monitor() -> None:
    # Started by the first request rather than at import: a thread does not survive gunicorn's fork of a worker.
    global _monitor
    with _monitor_started:
        if _monitor is None or not _monitor.is_alive():
            _monitor = threading.Thread(target=_monitor_replicas, name="replica-monitor", daemon=True)
            _monitor.start()


def _monitor_replicas() -> None:
    while True:
        _states.update(measure_replicas())
        time.sleep(settings.REPLICA_CHECK_SECONDS)


def _choose_replica() -> str:
    serving = [alias for alias, state in replica_states().items() if state.serves_reads]
    random.shuffle(serving)
    for alias in serving:
        if _answers(alias):
            return alias
    return PRIMARY


def _answers(alias: str) -> bool:
    """Whether the replica still takes connections. One that stopped since it was measured serves no more reads
    until the next measure, which a request's first query would otherwise learn by failing."""
    connection = connections[alias]
    try:
        # Django's own check of a persistent connection, done once a request, here rather than at the first query.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        _states[alias] = ReplicaState(_failed(error))
        return False
    return True
