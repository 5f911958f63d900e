"""Settings come from the environment and a bad value stops the process with the variable's name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from factcheck.env import env_bool, env_http_url, env_int, env_list, env_networks

PROJECT = Path(__file__).resolve().parent.parent


def settings_in_a_fresh_process(show: str = "s.DEBUG, db['ENGINE'], db['NAME']", **env) -> subprocess.CompletedProcess:
    """Import the settings module with exactly these variables, as a server start would, and print ``show``."""
    code = f"import factcheck.settings as s; db = s.DATABASES['default']; print({show})"
    clean_env = {"PATH": os.environ["PATH"], **env}
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=clean_env, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False)]
)
def test_it_reads_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", default=not expected) is expected


def test_it_refuses_a_misspelt_boolean(monkeypatch):
    monkeypatch.setenv("FLAG", "flase")
    with pytest.raises(ImproperlyConfigured, match="FLAG='flase' is not a boolean"):
        env_bool("FLAG", default=False)


def test_it_refuses_a_number_that_is_not_one(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "sixty")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='sixty' is not a whole number"):
        env_int("CONN_MAX_AGE", 60)


def test_it_refuses_an_empty_list_item(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("ALLOWED_HOSTS", [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", False), ("false", False), ("true", True), ("10.1.0.0/16, fd12::1", ["10.1.0.0/16", "fd12::1"])],
)
def test_it_reads_which_private_addresses_intake_may_fetch(monkeypatch, value, expected):
    monkeypatch.setenv("INTAKE_ALLOW_PRIVATE_ADDRESSES", value)
    assert env_networks("INTAKE_ALLOW_PRIVATE_ADDRESSES") == expected


def test_it_refuses_what_is_neither_a_boolean_nor_networks(monkeypatch):
    monkeypatch.setenv("INTAKE_ALLOW_PRIVATE_ADDRESSES", "10.1.0.0/16, intranet")
    with pytest.raises(ImproperlyConfigured, match="'intranet' is not an IP address or network"):
        env_networks("INTAKE_ALLOW_PRIVATE_ADDRESSES")


def test_it_reads_a_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example, b.example ")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.parametrize("value", ["ftp://newsroom.example", "newsroom.example", "https://"])
def test_it_refuses_a_newsroom_url_that_browsers_cannot_open(monkeypatch, value):
    monkeypatch.setenv("NEWSROOM_URL", value)
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_URL"):
        env_http_url("NEWSROOM_URL", "https://default.example")


def test_it_requires_a_secret_key_outside_debug():
    result = settings_in_a_fresh_process(DEBUG="false")
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set." in result.stderr


def test_it_stops_on_a_misspelt_debug_flag():
    result = settings_in_a_fresh_process(DEBUG="flase", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_it_refuses_an_unknown_time_zone():
    result = settings_in_a_fresh_process(DEBUG="true", TIME_ZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "TIME_ZONE='Mars/Olympus' is not an IANA time zone name" in result.stderr


def test_it_defaults_to_sqlite_in_the_project_when_debugging():
    result = settings_in_a_fresh_process(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", str(PROJECT / "db.sqlite3")]


def test_it_takes_the_database_from_database_url():
    result = settings_in_a_fresh_process(
        SECRET_KEY="x" * 50, DATABASE_URL="postgres://newsroom@db.example:5432/factcheck"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "factcheck"]


def test_production_settings_pass_the_deployment_checks():
    env = {"PATH": os.environ["PATH"], "SECRET_KEY": "k" * 30 + "-production-like-" + "q" * 30}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env={**env, "ALLOWED_HOSTS": "desk.newsroom.example"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def database_options_in_a_fresh_process(**env) -> str:
    code = "import factcheck.settings as s; print(s.DATABASES['default'].get('OPTIONS', {}).get('options'))"
    clean_env = {"PATH": os.environ["PATH"], "DEBUG": "true", **env}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=clean_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_connections_get_planner_settings_for_fast_searches():
    assert database_options_in_a_fresh_process(DATABASE_URL="postgres://u@db/x") == "-c random_page_cost=1.1 -c jit=off"
    assert database_options_in_a_fresh_process(DATABASE_URL="postgres://u@db/x", POSTGRES_OPTIONS="none") == "None"
    assert database_options_in_a_fresh_process(DATABASE_URL="sqlite:///x.db") == "None"


def test_the_api_throttle_rates_are_checked():
    result = settings_in_a_fresh_process(DEBUG="true", API_THROTTLE_ANON="lots")
    assert result.returncode != 0
    assert "API_THROTTLE_ANON='lots' is not a rate" in result.stderr


def test_public_pages_are_addressed_on_the_newsroom_site_unless_public_url_says_otherwise():
    production = {"SECRET_KEY": "x" * 50, "NEWSROOM_URL": "https://news.example"}
    assert settings_in_a_fresh_process("s.PUBLIC_URL", **production).stdout.strip() == "https://news.example"
    chosen = settings_in_a_fresh_process("s.PUBLIC_URL", **production, PUBLIC_URL="https://checks.news.example/")
    assert chosen.stdout.strip() == "https://checks.news.example"
    relative = settings_in_a_fresh_process("s.PUBLIC_URL", **production, PUBLIC_URL="/factchecks")
    assert relative.returncode != 0
    assert "PUBLIC_URL='/factchecks' is not an absolute http:// or https:// URL." in relative.stderr


def test_each_replica_url_becomes_a_database_the_router_reads_from():
    replicas = (
        "postgres://reader@replica-a.example/factcheck, postgres://reader@replica-b.example/factcheck?connect_timeout=9"
    )
    each = "{alias: (d['HOST'], d['OPTIONS'], d.get('TEST', {})) for alias, d in s.DATABASES.items()}"
    show = f"(s.REPLICA_DATABASES, {each})"
    result = settings_in_a_fresh_process(
        show, DEBUG="true", DATABASE_URL="postgres://writer@primary.example/factcheck", DATABASE_REPLICA_URLS=replicas
    )
    assert result.returncode == 0, result.stderr
    planner = "-c random_page_cost=1.1 -c jit=off"
    assert result.stdout.strip() == str(
        (
            ["replica_1", "replica_2"],
            {
                "default": ("primary.example", {"options": planner}, {}),
                # A replica that does not answer costs seconds, and the test runner uses the primary's test database.
                "replica_1": ("replica-a.example", {"options": planner, "connect_timeout": 3}, {"MIRROR": "default"}),
                "replica_2": ("replica-b.example", {"connect_timeout": 9, "options": planner}, {"MIRROR": "default"}),
            },
        )
    )


def test_without_replica_urls_there_is_one_database():
    assert settings_in_a_fresh_process("(s.REPLICA_DATABASES, list(s.DATABASES))", DEBUG="true").stdout.strip() == str(
        ([], ["default"])
    )


@pytest.mark.parametrize(
    ("primary", "replica", "message"),
    [
        ("sqlite:///x.db", "postgres://reader@replica.example/factcheck", "must be postgres:// URLs"),
        ("postgres://writer@primary.example/factcheck", "sqlite:///copy.db", "must be postgres:// URLs"),
        ("postgres://writer@primary.example/factcheck", "replica.example:5432", "item 1 is not a database URL"),
    ],
)
def test_it_refuses_replicas_that_cannot_be_streaming_replicas_of_the_primary(primary, replica, message):
    result = settings_in_a_fresh_process(DEBUG="true", DATABASE_URL=primary, DATABASE_REPLICA_URLS=replica)
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS" in result.stderr
    assert message in result.stderr


def test_the_cache_is_redis_when_a_redis_url_is_given_and_local_memory_otherwise():
    show = "s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION')"
    alone = settings_in_a_fresh_process(show, DEBUG="true")
    assert alone.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "None"]
    shared = settings_in_a_fresh_process(show, DEBUG="true", REDIS_URL="redis://cache.example:6379/0")
    assert shared.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://cache.example:6379/0"]
    own = settings_in_a_fresh_process(show, DEBUG="true", REDIS_URL="redis://jobs:6379/0", CACHE_URL="redis://c:6379/1")
    assert own.stdout.split()[1] == "redis://c:6379/1"
    wrong = settings_in_a_fresh_process(show, DEBUG="true", REDIS_URL="http://cache.example")
    assert wrong.returncode != 0
    assert "REDIS_URL='http://cache.example' is not a Redis URL" in wrong.stderr


def test_the_public_page_rates_are_checked():
    result = settings_in_a_fresh_process(DEBUG="true", REPORT_THROTTLE="20 a minute")
    assert result.returncode != 0
    assert "REPORT_THROTTLE='20 a minute' is not a rate" in result.stderr


def test_the_staff_session_lifetime_is_a_setting_with_a_short_default():
    assert settings_in_a_fresh_process("s.SESSION_COOKIE_AGE", DEBUG="true").stdout.strip() == str(8 * 60 * 60)
    assert (
        settings_in_a_fresh_process("s.SESSION_COOKIE_AGE", DEBUG="true", SESSION_COOKIE_AGE="3600").stdout == "3600\n"
    )


def test_x_forwarded_proto_is_trusted_through_gunicorn_only_and_the_old_switch_says_so():
    result = settings_in_a_fresh_process(DEBUG="true", TRUST_X_FORWARDED_PROTO="true")
    assert result.returncode != 0
    assert "TRUST_X_FORWARDED_PROTO is no longer read: list your proxies' addresses in FORWARDED_ALLOW_IPS" in (
        result.stderr
    )
    assert settings_in_a_fresh_process("hasattr(s, 'SECURE_PROXY_SSL_HEADER')", DEBUG="true").stdout == "False\n"


def test_behind_proxies_throttling_and_lockouts_read_the_address_they_forward():
    show = "s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE"
    assert settings_in_a_fresh_process(show, DEBUG="true").stdout.split() == ["0", "factcheck.lockout.client_address"]
    assert settings_in_a_fresh_process(show, DEBUG="true", NUM_PROXIES="1").stdout.split()[0] == "1"


def test_a_connection_pool_replaces_persistent_connections_on_postgresql():
    show = "db['CONN_MAX_AGE'], db.get('OPTIONS', {}).get('pool')"
    postgres = {"DEBUG": "true", "DATABASE_URL": "postgres://u@db/x"}
    assert settings_in_a_fresh_process(show, **postgres).stdout.strip() == "60 None"
    pooled = settings_in_a_fresh_process(show, **postgres, DATABASE_POOL_MAX_SIZE="8", DATABASE_POOL_MIN_SIZE="1")
    assert pooled.stdout.strip() == "0 {'min_size': 1, 'max_size': 8, 'timeout': 10}"
    assert settings_in_a_fresh_process(show, DEBUG="true", DATABASE_POOL_MAX_SIZE="8").stdout.strip() == "60 None"
    upside_down = settings_in_a_fresh_process(show, **postgres, DATABASE_POOL_MAX_SIZE="2", DATABASE_POOL_MIN_SIZE="4")
    assert upside_down.returncode != 0
    assert "DATABASE_POOL_MIN_SIZE must not be larger than DATABASE_POOL_MAX_SIZE" in upside_down.stderr
