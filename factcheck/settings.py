"""Settings for the fact-check tracker, all read from environment variables.

The variables are listed, with their defaults, in README.md ("Configuration"). Development
(`make run`) sets DEBUG=true; everything else defaults to what a production server needs.
"""

import datetime
import os
import re
import zoneinfo
from pathlib import Path

import csp.constants
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS as RESERVED_LOG_ATTRS

from factcheck.env import env_bool, env_http_url, env_int, env_list, env_networks, env_redis_url, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-never-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "axes",
    "csp",
    "claims",
]

MIDDLEWARE = [
    "factcheck.observability.RequestLogMiddleware",
    # Outside the session and everything else that reads or writes, so that the database router sees all of it.
    "factcheck.replicas.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The security headers go on every answer, the health checks' too: these three add them, and need no
    # host name, session or database, so the health checks are answered after them (SECURE_REDIRECT_EXEMPT).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "factcheck.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "factcheck.middleware.ApiCacheHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "factcheck.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a lock-out found during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed logins (the admin's and the API's token endpoint) and locks out a
# username from an address after LOGIN_FAILURE_LIMIT failures for LOGIN_LOCKOUT_MINUTES (AXES_* below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "factcheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of other apps' templates (the browsable API's); each app's own templates live in the app.
        "DIRS": [BASE_DIR / "factcheck" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.public.context_processors.newsroom",
            ],
        },
    },
]

WSGI_APPLICATION = "factcheck.wsgi.application"

# Planner settings sent when connecting to PostgreSQL. random_page_cost=1.1 suits SSDs and cached
# data: with the default 4.0 the planner walks the id index for a full-text search instead of
# using the GIN index, and reads tens of thousands of rows to find a rare word. JIT compilation
# takes longer than the short queries of a web app. "none" sends nothing, for a pooler that refuses it.
POSTGRES_OPTIONS = env_str("POSTGRES_OPTIONS", "-c random_page_cost=1.1 -c jit=off")


# A pool of PostgreSQL connections in each gunicorn worker (psycopg_pool through Django's "pool" option),
# shared by the worker's threads: a request borrows one for its duration instead of connecting. Django
# refuses it together with persistent connections, so the pool replaces CONN_MAX_AGE (README, "Operating it").
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0)
DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", min(2, DATABASE_POOL_MAX_SIZE))
if DATABASE_POOL_MIN_SIZE > DATABASE_POOL_MAX_SIZE:
    raise ImproperlyConfigured("DATABASE_POOL_MIN_SIZE must not be larger than DATABASE_POOL_MAX_SIZE.")


def database(url: str) -> dict:
    """The settings of one database from its URL: the primary's, or a replica's."""
    config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return config
    if POSTGRES_OPTIONS != "none":
        config.setdefault("OPTIONS", {})["options"] = POSTGRES_OPTIONS
    if DATABASE_POOL_MAX_SIZE:
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": DATABASE_POOL_MIN_SIZE,
            "max_size": DATABASE_POOL_MAX_SIZE,
            # A request waits this long for a free connection, then fails as if the database were away (503).
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
        }
    return config


DATABASES = {"default": database(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

# Read replicas (README, "Operating it"): PostgreSQL streaming replicas of the primary, each a database alias
# (replica_1, replica_2, ... in the order given) that factcheck/replicas.py sends reads to.
REPLICA_DATABASES = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    try:
        _replica = database(_url)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: item {_number} is not a database URL: {error}") from None
    if {_replica["ENGINE"], DATABASES["default"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS names streaming replicas of a PostgreSQL primary: "
            "DATABASE_URL and every replica URL must be postgres:// URLs."
        )
    # A replica host that does not answer costs a wait this long, not the operating system's minutes.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # The test runner uses the primary's test database for it, rather than creating one on a read-only server.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    REPLICA_DATABASES.append(f"replica_{_number}")
# A replica serves reads while it is at most REPLICA_MAX_LAG_SECONDS behind the primary; each process measures
# every REPLICA_CHECK_SECONDS. A client that wrote reads from the primary for REPLICA_READ_YOUR_WRITES_SECONDS
# afterwards: keep that at least the other two added up, or a replica it reads from may still miss its write.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 2, minimum=1)
REPLICA_READ_YOUR_WRITES_SECONDS = env_int("REPLICA_READ_YOUR_WRITES_SECONDS", 10, minimum=1)
DATABASE_ROUTERS = ["factcheck.replicas.ReplicaRouter"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name such as 'Europe/Berlin'.")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Behind a TLS-terminating proxy the app sees plain HTTP and the proxy's X-Forwarded-Proto says the
# original scheme. gunicorn believes it only from the proxies in FORWARDED_ALLOW_IPS (gunicorn.conf.py) and
# passes the scheme on; Django reads the scheme gunicorn decided, never the header, which anyone can send.
if "TRUST_X_FORWARDED_PROTO" in os.environ:
    raise ImproperlyConfigured(
        "TRUST_X_FORWARDED_PROTO is no longer read: list your proxies' addresses in FORWARDED_ALLOW_IPS instead "
        "(gunicorn trusts X-Forwarded-Proto from them only; README, 'Configuration')."
    )
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks ask by the container's address over plain HTTP: answered there, with the headers below.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
# A staff session ends this many seconds after logging in: a desk left signed in does not stay open for weeks.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from this site's own files, so an injected
# <script>, inline handler or javascript: link does not run. Inline styles are allowed: the admin,
# django-simple-history, the browsable API and Swagger UI use them, and they cannot run code. The
# browser tests fail on any violation Chromium reports on the admin, public, report and API pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF, csp.constants.UNSAFE_INLINE],
        "img-src": [csp.constants.SELF, "data:"],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "base-uri": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "frame-ancestors": [csp.constants.NONE],
    },
}

# A username is locked from the address that failed after LOGIN_FAILURE_LIMIT failures, so an attacker
# elsewhere cannot lock its owner out; an address is locked for every username after LOGIN_ADDRESS_FAILURE_LIMIT
# failures, whatever usernames they tried (factcheck/lockout.py). A success clears the address's count.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
if LOGIN_ADDRESS_FAILURE_LIMIT < LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured("LOGIN_ADDRESS_FAILURE_LIMIT must be at least LOGIN_FAILURE_LIMIT.")
AXES_FAILURE_LIMIT = "factcheck.lockout.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "factcheck.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "factcheck.lockout.client_address"
AXES_VERBOSE = False

# How many proxies in front of gunicorn append the client's address to X-Forwarded-For. Throttling and login
# lock-outs take the address that many entries from the right (DRF's NUM_PROXIES); 0 takes the connection's.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

# Published output (ClaimReview `author`, public pages) names the newsroom that runs this instance.
NEWSROOM_NAME = env_str("NEWSROOM_NAME", "Example Newsroom")
NEWSROOM_URL = env_http_url("NEWSROOM_URL", "https://newsroom.example")
# Where this app's public pages are served: the fact-check URLs of exports and ClaimReview start with it.
PUBLIC_URL = env_http_url("PUBLIC_URL", "http://127.0.0.1:8000" if DEBUG else NEWSROOM_URL)

# Article intake (README, "Claim intake") fetches pages from the addresses people give. Pages are fetched only
# from public addresses unless this allows private ones: true, or a list of addresses and networks.
INTAKE_ALLOW_PRIVATE_ADDRESSES = env_networks("INTAKE_ALLOW_PRIVATE_ADDRESSES", False)
# Seconds for a whole fetch, redirects included (connecting takes at most 5 of them, each read 10), and the
# most a page may weigh, in bytes once decompressed.
INTAKE_FETCH_TIMEOUT = env_int("INTAKE_FETCH_TIMEOUT", 20, minimum=1)
INTAKE_MAX_PAGE_BYTES = env_int("INTAKE_MAX_PAGE_BYTES", 5 * 1024 * 1024, minimum=1024)

# Background jobs (claims/jobs/, README "Background jobs"): Celery workers take them from Redis. In development
# and tests they run in the process that starts them, so that `make run` needs neither Redis nor a worker.
JOBS_IN_PROCESS = env_bool("JOBS_IN_PROCESS", default=DEBUG)
CELERY_BROKER_URL = env_redis_url("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
CELERY_TASK_ALWAYS_EAGER = JOBS_IN_PROCESS
CELERY_TASK_DEFAULT_QUEUE = env_str("JOBS_QUEUE", "factcheck")
# The Job row is each job's state and result: Celery keeps no results of its own.
CELERY_TASK_IGNORE_RESULT = True
# A worker takes one job's message at a time (each is acknowledged once it has run: claims.jobs.running), so a
# worker that dies takes no others with it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a message that was not acknowledged (its worker was killed) to another worker after this many
# seconds; the job's lease keeps it from running twice meanwhile (claims.models.Job).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("JOBS_VISIBILITY_TIMEOUT", 3600, minimum=1)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs as the app does (LOGGING below)
# A running job renews its lease as it reports progress; a job whose lease lapsed was left by a dead worker.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120, minimum=1)
# Transient faults (the database or a remote site away) are retried this often, waiting 5 s, 10 s, 20 s ...
JOB_MAX_RETRIES = env_int("JOB_MAX_RETRIES", 5)
JOB_RETRY_BACKOFF_SECONDS = env_int("JOB_RETRY_BACKOFF_SECONDS", 5, minimum=1)
JOB_RETRY_BACKOFF_MAX_SECONDS = env_int("JOB_RETRY_BACKOFF_MAX_SECONDS", 600, minimum=1)
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 14, minimum=1)
# Exports of more verdicts than this are written to a file by a job and downloaded from a signed link that
# expires after EXPORT_LINK_MAX_AGE seconds; smaller ones stream at once.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 10000, minimum=1)
EXPORT_LINK_MAX_AGE = env_int("EXPORT_LINK_MAX_AGE", 24 * 60 * 60, minimum=1)
# The most a ClaimReview upload may weigh in the admin, all its files together.
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 100 * 1024 * 1024, minimum=1024)
# Jobs' files (uploads to import, finished exports) live in the default storage, under MEDIA_ROOT, which is
# never served: exports are downloaded through their signed links only. Web and workers must share it.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))

# Mail, sent by jobs (claims.jobs.mail). Development prints it on the console.
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factcheck@localhost")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
# One JSON object per line for log collectors, or plain lines for a terminal; each line of a request
# carries its request_id (factcheck/observability.py), and requests slower than SLOW_REQUEST_MS are logged.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not 'json' or 'text'.")
SLOW_REQUEST_MS = env_int("SLOW_REQUEST_MS", 1000, minimum=1)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "factcheck.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            # Django's request logger passes the request object itself; its method and path are in the message.
            "reserved_attrs": [*RESERVED_LOG_ATTRS, "request", "server_time"],
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# The API (README, "Using the API"). Tokens are stored hashed (django-rest-knox) and expire.
# Throttling is a courtesy to share the server fairly, not a security control.
THROTTLE_RATE = r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$"
API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "120/minute")
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "1200/minute")
# The public pages and the verdict report are throttled like the API, per signed-in user or else per address.
PAGE_THROTTLE = env_str("PAGE_THROTTLE", "120/minute")
REPORT_THROTTLE = env_str("REPORT_THROTTLE", "20/minute")
for _name in ("API_THROTTLE_ANON", "API_THROTTLE_USER", "PAGE_THROTTLE", "REPORT_THROTTLE"):
    if not re.match(THROTTLE_RATE, globals()[_name]):
        raise ImproperlyConfigured(
            f"{_name}={globals()[_name]!r} is not a rate such as '120/minute' (per second, minute, hour or day)."
        )

# The cache holds the throttling counts. With REDIS_URL (or CACHE_URL, to keep the cache on another Redis
# than the job queue's) every worker and server counts in the same Redis, so the rates hold for the whole
# site; without, each process counts for itself in its own memory, as `make run` needs nothing more.
CACHE_URL = env_redis_url("CACHE_URL") or env_redis_url("REDIS_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "factcheck"),
            # A Redis that does not answer fails the request in seconds rather than holding its worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    # The token scheme comes first so that a request without credentials gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_FILTER_BACKENDS": ["claims.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.ListPagination",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["claims.throttling.AnonRateThrottle", "claims.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": API_THROTTLE_ANON,
        "user": API_THROTTLE_USER,
        "pages": PAGE_THROTTLE,
        "report": REPORT_THROTTLE,
    },
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.NewsroomAutoSchema",
}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env_int("API_TOKEN_DAYS", 90)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check tracker API",
    "DESCRIPTION": "Claims, verdicts, evidence, speakers, sources, ratings and topics of a newsroom's fact-checks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page must work offline: its scripts come from drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.ClaimStatus",
        "VerdictStatusEnum": "claims.models.VerdictStatus",
        "SourceKindEnum": "claims.models.SourceKind",
        "SpeakerKindEnum": "claims.models.SpeakerKind",
        "EvidenceKindEnum": "claims.models.EvidenceKind",
    },
}

# The history pages show every version but cannot restore one: that would bypass the workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Every move records its reason in the history, and a reason readers see can run to 2,000 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
