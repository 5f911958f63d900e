"""Every kind of job's Celery task, for the workers to find (``factcheck.celery`` discovers this module)."""

from claims.jobs import exports, imports, intake, mail
from claims.jobs.running import TASKS

__all__ = ["TASKS", "exports", "imports", "intake", "mail"]
