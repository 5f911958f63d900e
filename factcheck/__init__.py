"""The project: settings, URLs, middleware, and the Celery app, loaded with Django so that jobs started by the
app go to its broker (or run in-process in development)."""

from factcheck.celery import app as celery_app

__all__ = ["celery_app"]
