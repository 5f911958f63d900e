"""What operators rely on: health checks, and logs that tie each line to its request and point at slow ones."""

import json
import logging
import logging.config

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factcheck.observability import REQUEST_ID_HEADER, RequestIdFilter
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


class TestHealthChecks:
    def test_healthz_answers_whatever_the_host_and_scheme(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})
        assert response["Cache-Control"] == "no-store"

    def test_readyz_answers_ready_when_the_database_answers_and_every_migration_is_applied(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        response = Client().get("/readyz", HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}

    def test_readyz_is_unavailable_while_a_migration_is_missing_and_names_it(self):
        (_, newest), *_ = MigrationLoader(connection).graph.leaf_nodes("claims")
        MigrationRecorder.Migration.objects.filter(app="claims", name=newest).delete()
        response = Client().get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "migrations": f"1 not applied: claims.{newest}",
        }

    def test_readyz_notices_a_missing_migration_that_is_not_the_newest(self):
        MigrationRecorder.Migration.objects.filter(app="claims", name="0002_default_rating_scale").delete()
        assert Client().get("/readyz").json()["migrations"] == "1 not applied: claims.0002_default_rating_scale"

    def test_docker_compose_checks_the_app_with_readyz(self):
        compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
        check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
        assert "http://127.0.0.1:8000/readyz" in check


class TestRequestLogs:
    def test_every_line_logged_during_a_request_carries_its_id_which_the_response_returns(self, caplog, settings):
        settings.SLOW_REQUEST_MS = 0
        with caplog.at_level(logging.INFO):
            response = Client().get("/api/v1/claims/")
        request_id = response[REQUEST_ID_HEADER]
        assert len(request_id) == 32
        slow = [record for record in caplog.records if record.name == "factcheck.requests"]
        assert [record.request_id for record in slow] == [request_id]

    def test_a_request_id_from_the_load_balancer_is_kept_and_a_malformed_one_replaced(self):
        offered = "lb-7f3a9c2e-0001"
        assert Client().get("/factchecks/", HTTP_X_REQUEST_ID=offered)[REQUEST_ID_HEADER] == offered
        replaced = Client().get("/factchecks/", HTTP_X_REQUEST_ID="<script>")[REQUEST_ID_HEADER]
        assert replaced != "<script>"
        assert len(replaced) == 32

    def test_a_slow_request_is_logged_with_its_time_and_query_count(self, caplog, settings):
        ClaimFactory.create_batch(3)
        settings.SLOW_REQUEST_MS = 0
        with caplog.at_level(logging.WARNING, logger="factcheck.requests"), CaptureQueriesContext(connection) as sql:
            Client().get("/api/v1/speakers/?page_size=2")
        (record,) = [record for record in caplog.records if record.name == "factcheck.requests"]
        assert record.getMessage() == "slow request"
        assert (record.method, record.path, record.status) == ("GET", "/api/v1/speakers/?page_size=2", 200)
        assert record.queries == len(sql.captured_queries) > 0
        assert record.duration_ms >= 0

    def test_requests_under_the_threshold_are_not_logged(self, caplog, settings):
        settings.SLOW_REQUEST_MS = 60_000
        with caplog.at_level(logging.INFO, logger="factcheck.requests"):
            Client().get("/factchecks/")
        assert [record for record in caplog.records if record.name == "factcheck.requests"] == []

    def test_an_error_is_logged_with_the_id_of_the_request_that_failed(self, caplog, monkeypatch):
        def fail(*args, **kwargs):
            raise RuntimeError("the page could not be drawn")

        monkeypatch.setattr("claims.public.views.render", fail)
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = Client(raise_request_exception=False).get("/factchecks/")
        assert response.status_code == 500
        (record,) = caplog.records
        assert record.request_id == response[REQUEST_ID_HEADER]
        assert record.exc_info[0] is RuntimeError


def test_production_logs_are_one_json_object_per_line_with_the_request_id():
    formatter = logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
        settings.LOGGING["formatters"]["json"]
    )
    record = logging.makeLogRecord({"name": "claims", "levelname": "WARNING", "msg": "import %s", "args": ("done",)})
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert {key: line[key] for key in ("level", "logger", "message", "request_id")} == {
        "level": "WARNING",
        "logger": "claims",
        "message": "import done",
        "request_id": None,
    }
    assert "time" in line
