"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: the database answers and every
migration is applied; it also reports each read replica's lag), for load balancers, orchestrators and
docker-compose's health checks.

They are answered first in the middleware stack: a health check asks by the container's own
address over plain HTTP, which ALLOWED_HOSTS and the HTTPS redirect would otherwise refuse, and it
needs no session, user or CSRF token.
"""

import dataclasses

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse

from factcheck.replicas import replica_states


def unapplied_migrations() -> list[str]:
    """The migrations on disk that the database has not recorded as applied, wherever they are in the graph."""
    loader = MigrationLoader(connection)
    return [f"{app}.{name}" for app, name in sorted(loader.graph.nodes.keys() - loader.applied_migrations.keys())]


def readiness() -> tuple[bool, dict[str, object]]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        missing = unapplied_migrations()
    except DatabaseError as error:
        return False, {"database": f"unavailable: {error.__class__.__name__}"}
    checks = {"database": "ok", "migrations": f"{len(missing)} not applied: {', '.join(missing)}" if missing else "ok"}
    if settings.REPLICA_DATABASES:
        checks["replicas"] = replicas()
    return not missing, checks


def replicas() -> dict[str, dict]:
    """Each replica's lag and whether it serves reads ("ok"): the primary serves those of one that does not."""
    return {alias: dataclasses.asdict(state) for alias, state in replica_states().items()}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return _answer(True, {})
        if request.path == "/readyz":
            return _answer(*readiness())
        return self.get_response(request)


def _answer(ready: bool, checks: dict[str, object]) -> JsonResponse:
    response = JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
