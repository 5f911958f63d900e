"""Settings for benchmarks: the project's production settings, plus the baseline views, without throttling.

Throttling would cap the very throughput being measured; everything else is as in production.
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "benchmarks-only-not-secret-" + "x" * 40)

from factcheck.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Benchmarks never run collectstatic; whitenoise would warn in every worker that STATIC_ROOT is missing.
warnings.filterwarnings("ignore", message="No directory at")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
# No throttle on the API, and none on the public pages and the report (a scope without a rate is not throttled).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {"pages": None, "report": None},
}
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
