"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: the database answers and every
migration is applied), for load balancers, orchestrators and docker-compose's health checks.

They are answered first in the middleware stack: a health check asks by the container's own
address over plain HTTP, which ALLOWED_HOSTS and the HTTPS redirect would otherwise refuse, and it
needs no session, user or CSRF token.
"""

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse


def unapplied_migrations() -> list[str]:
    """The migrations on disk that the database has not recorded as applied, wherever they are in the graph."""
    loader = MigrationLoader(connection)
    return [f"{app}.{name}" for app, name in sorted(loader.graph.nodes.keys() - loader.applied_migrations.keys())]


def readiness() -> tuple[bool, dict[str, str]]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        missing = unapplied_migrations()
    except DatabaseError as error:
        return False, {"database": f"unavailable: {error.__class__.__name__}"}
    if missing:
        return False, {"database": "ok", "migrations": f"{len(missing)} not applied: {', '.join(missing)}"}
    return True, {"database": "ok", "migrations": "ok"}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return _answer(True, {})
        if request.path == "/readyz":
            return _answer(*readiness())
        return self.get_response(request)


def _answer(ready: bool, checks: dict[str, str]) -> JsonResponse:
    response = JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
