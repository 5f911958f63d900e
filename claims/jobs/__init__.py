"""Background jobs: work that can outlast a request, run by Celery workers (``factcheck.celery``), each recorded
as a ``claims.models.Job`` that its user follows in the admin and the API.

``running`` is how every job runs: taken under a lease, retried with backoff on transient faults, failed with a
readable error otherwise. Each kind of job has its module, with the function that starts it and the work it does:
``imports`` (ClaimReview uploaded in the admin), ``intake`` (an article from its address), ``exports`` (large
exports written to a file, downloaded from a signed link that expires), ``mail``. ``tasks`` names them all for the
workers.
"""
