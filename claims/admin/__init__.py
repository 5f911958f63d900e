"""The editors' admin, by job: the claim queue (``claims``), verdict review (``verdicts``), sources and
the claims proposed from them (``sources``), evidence (``evidence``), reference data (``reference``) and
background jobs (``jobs``).
Workflow moves are admin actions generated from ``claims.workflow.Move`` (``actions``).

Importing the modules registers their model admins with the admin site.
"""

from claims.admin import claims, evidence, jobs, reference, sources, verdicts  # noqa: F401
