"""Settings for the test suite: the project's own, with a throwaway key and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "x" * 40)
# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that by default.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The suite makes many requests a minute; the throttling tests set their own rates.
os.environ.setdefault("API_THROTTLE_ANON", "1000000/minute")
os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
os.environ.setdefault("PAGE_THROTTLE", "1000000/minute")
os.environ.setdefault("REPORT_THROTTLE", "1000000/minute")
# Jobs run in the test's own process (the test of killed workers starts real ones).
os.environ.setdefault("JOBS_IN_PROCESS", "true")

from factcheck.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders, as in development: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "json"}  # noqa: F405
