"""The Celery app that runs background jobs (``claims.jobs``): ``celery -A factcheck worker``.

Its settings are Django's ``CELERY_*`` settings (``factcheck/settings.py``); the tasks are ``claims.jobs.tasks``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["claims.jobs"])
