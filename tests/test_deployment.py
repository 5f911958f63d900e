"""The container wiring, read from the files (no Docker engine runs where the tests do), and gunicorn's settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return (PROJECT / "Dockerfile").read_text()


def test_the_database_is_postgresql_with_a_tcp_health_check_and_a_named_volume(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:15")
    assert "pg_isready -h 127.0.0.1" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_migrations_run_once_the_database_is_healthy(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_app_and_its_worker_wait_for_the_database_redis_the_broker_and_the_migrations(compose):
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "broker": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert service["build"] == compose["services"]["migrate"]["build"] == "."


def test_the_app_counts_throttling_in_the_compose_redis(compose):
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert compose["services"]["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_jobs_go_through_a_redis_of_their_own_that_keeps_its_queue(compose):
    broker = compose["services"]["broker"]
    assert broker["image"].startswith("redis:")
    # Persisted, and without the cache's eviction of the oldest keys: a queued job is never dropped.
    assert broker["command"] == ["redis-server", "--appendonly", "yes"]
    assert broker["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert broker["volumes"][0].split(":")[0] in compose["volumes"]
    assert compose["services"]["web"]["environment"]["CELERY_BROKER_URL"] == "redis://broker:6379/0"


def test_the_worker_runs_the_jobs_of_the_same_image_with_the_same_files(compose, dockerfile):
    worker, web = compose["services"]["worker"], compose["services"]["web"]
    assert worker["command"][:4] == ["celery", "-A", "factcheck", "worker"]
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    # The uploads it imports and the exports it writes are where the web servers read and serve them.
    assert worker["volumes"] == web["volumes"] == ["media:/app/media"]
    assert "media" in compose["volumes"]
    assert "mkdir -p /app/media && chown app /app/media" in dockerfile


def test_the_app_its_worker_and_its_migrations_share_one_configuration_from_the_environment(compose):
    web, migrate = compose["services"]["web"], compose["services"]["migrate"]
    assert web["environment"] == migrate["environment"] == compose["services"]["worker"]["environment"]
    assert web["environment"]["DATABASE_URL"].startswith("postgres://factcheck:")
    assert web["environment"]["DATABASE_URL"].endswith("@db:5432/factcheck")
    # Secrets come from the environment or .env, never from the file itself.
    assert web["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_the_image_runs_gunicorn_with_its_configuration_and_serves_collected_static_files(dockerfile):
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py", "factcheck.wsgi"]' in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def gunicorn_settings(**env: str) -> dict[str, str]:
    """The settings gunicorn takes from gunicorn.conf.py in an environment with ``env``."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--print-config", "factcheck.wsgi"],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], "DEBUG": "true", **env},  # it loads the app too
        capture_output=True,
        text=True,
        check=True,
    )
    pairs = (line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_gunicorn_runs_threaded_workers_that_take_a_connection_only_for_a_free_thread():
    defaults = gunicorn_settings()
    assert {name: defaults[name] for name in ("worker_class", "workers", "threads", "worker_connections")} == {
        "worker_class": "gthread",
        "workers": "4",
        "threads": "4",
        "worker_connections": "4",
    }
    assert defaults["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    assert defaults["secure_scheme_headers"] == "{'X-FORWARDED-PROTO': 'https'}"
    chosen = gunicorn_settings(WEB_CONCURRENCY="2", GUNICORN_THREADS="8", FORWARDED_ALLOW_IPS="10.0.0.2, 10.0.1.0/24")
    assert (chosen["workers"], chosen["threads"], chosen["worker_connections"]) == ("2", "8", "8")
    assert chosen["forwarded_allow_ips"] == "['10.0.0.2', '10.0.1.0/24']"


def test_the_image_does_not_run_as_root(dockerfile):
    assert "\nUSER app\n" in dockerfile
