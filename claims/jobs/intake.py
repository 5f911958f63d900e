"""An article from its address, fetched in the background (``claims.intake.article_intake``): the admin's "Add an
article from its address" and ``POST /api/v1/sources/intake/`` start it; a saved page is read in the request."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.intake.article_intake import ArticleRefused, address_recorded, intake_article
from claims.intake.pages import FetchError, FetchTimeout, Unreachable
from claims.jobs.running import JobRefused, Run, database_away, job_task, start
from claims.models import Job, JobKind, Source
from claims.text import field_problems


def start_article_intake(url: str, *, published_on: datetime.date | None, user) -> Source | Job:
    """The source already recorded at ``url``, at once; else the job that fetches the page and stores it.

    An address that intake does not fetch raises ``pages.UrlRefused`` here, before any job.
    """
    recorded = address_recorded(url)
    if recorded is not None:
        return recorded
    arguments = {"url": url.strip(), "published_on": published_on.isoformat() if published_on else None}
    return start(JobKind.INTAKE_ARTICLE, user=user, arguments=arguments)


def site_away(error: BaseException) -> str | None:
    """A site that could not be reached or did not answer in time may answer later; any other refusal stands."""
    if isinstance(error, Unreachable | FetchTimeout):
        return str(error)
    return database_away(error)


@job_task(JobKind.INTAKE_ARTICLE, transient=site_away)
def intake_article_job(run: Run) -> dict:
    """Fetch and read the page, then store its source, and end the job, in one transaction: a job that stored its
    source has said so."""
    job = run.job
    published_on = job.arguments["published_on"]
    try:
        intake = intake_article(
            job.arguments["url"],
            published_on=datetime.date.fromisoformat(published_on) if published_on else None,
            save=False,
        )
    except (FetchError, ArticleRefused) as error:
        if site_away(error):
            raise
        raise JobRefused(str(error), code=error.code) from error
    except ValidationError as error:
        raise JobRefused(
            f"The article cannot be stored: {field_problems(error.message_dict)}", code="invalid"
        ) from error
    with transaction.atomic():
        intake = intake.saved(job.started_by)
        result = {"source": intake.source.pk, "created": intake.created}
        job.succeed(result, done=1, total=1)
    return result
