"""Large exports, written to a file in the background and downloaded later from a signed link that expires.

A selection of more than ``EXPORT_INLINE_MAX_ROWS`` verdicts is not streamed in the request: a job writes it to
the default storage (never served as such), and its link, signed with the job's id and the time it was given
(``django.core.signing``), downloads it for ``EXPORT_LINK_MAX_AGE`` seconds. The job chooses the verdicts again
when it runs, for the user who asked (the public, without one), with the same filters.
"""

import tempfile

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import QueryDict

from claims.jobs.running import Run, job_task, start
from claims.models import Job, JobKind
from claims.outputs.formats import FORMATS
from claims.selection import chosen_verdicts

DOWNLOAD_SALT = "claims.jobs.exports.download"
EXPORTS = "jobs/exports"


class DownloadRefused(Exception):
    """A download link that names no export (it was altered, or its file deleted) or has expired."""


class LinkInvalid(DownloadRefused):
    pass


class LinkExpired(DownloadRefused):
    pass


def streams_inline(verdicts: QuerySet) -> bool:
    """Whether the selection is small enough to stream in the request: at most ``EXPORT_INLINE_MAX_ROWS`` rows."""
    return not verdicts[settings.EXPORT_INLINE_MAX_ROWS :].exists()


def start_export(format_name: str, params: QueryDict, *, user) -> Job:
    """The job writing the verdicts that ``params`` choose for ``user`` as ``format_name``."""
    return start(JobKind.EXPORT_VERDICTS, user=user, arguments={"format": format_name, "params": dict(params.lists())})


def download_token(job: Job) -> str:
    """The token of a link to the job's file, valid for ``EXPORT_LINK_MAX_AGE`` seconds from now."""
    return signing.dumps(job.pk, salt=DOWNLOAD_SALT)


def export_of(token: str) -> Job:
    """The export job that a link's token names; ``LinkExpired`` or ``LinkInvalid`` if it does not (any longer)."""
    try:
        pk = signing.loads(token, salt=DOWNLOAD_SALT, max_age=settings.EXPORT_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkExpired("This download link has expired: ask for the export again.") from error
    except signing.BadSignature as error:
        raise LinkInvalid("This is not a valid download link.") from error
    job = Job.objects.filter(pk=pk, kind=JobKind.EXPORT_VERDICTS).first()
    if job is None:
        raise LinkExpired("This export was deleted: ask for it again.")
    return job


def open_export(job: Job) -> File:
    """The file of a finished export; ``LinkExpired`` if it was deleted since."""
    try:
        return default_storage.open(job.result["file"])
    except FileNotFoundError as error:
        raise LinkExpired("This export's file was deleted: ask for the export again.") from error


@job_task(JobKind.EXPORT_VERDICTS)
def export_verdicts_job(run: Run) -> dict:
    """Write the export to a temporary file, then store it under the job's name: a download never gets half a file,
    and an attempt run again after its worker died replaces what an earlier one left."""
    job = run.job
    export = FORMATS[job.arguments["format"]]
    params = QueryDict(mutable=True)
    for name, values in job.arguments["params"].items():
        params.setlist(name, values)
    verdicts = chosen_verdicts(user=job.started_by or AnonymousUser(), params=params)
    run.progress(0, verdicts.count())
    name = f"{EXPORTS}/{job.pk}/{export.filename}"
    with tempfile.TemporaryFile() as file:
        for chunk in export.stream(verdicts, run.progress):
            file.write(chunk)
        file.seek(0)
        default_storage.delete(name)
        stored = default_storage.save(name, File(file, name=export.filename))
    return {"file": stored, "filename": export.filename, "media_type": export.media_type, "rows": run.done}
