"""Other fact-checkers' ClaimReview uploaded in the admin, imported in the background
(``claims.intake.claimreview``).

The uploads are kept in the default storage until the job is pruned. The import stores its batches each in one
transaction, and records in the same transaction what it has stored so far: run again after its worker died, it
skips what was stored (a fact-check is known by its address) and its summary still counts it as imported.
"""

import uuid
from dataclasses import asdict, replace

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from claims.intake.claimreview.importing import BATCH_SIZE, ImportSummary, claim_reviews_import
from claims.intake.claimreview.reading import find_claim_reviews
from claims.jobs.running import JobRefused, Run, job_task, start
from claims.models import Job, JobKind

UPLOADS = "jobs/uploads"


def start_claimreview_import(
    uploads: list[UploadedFile], *, base_url: str = "", user, batch_size: int = BATCH_SIZE
) -> Job:
    """The job importing the uploaded files, which are stored for it first."""
    folder = f"{UPLOADS}/{uuid.uuid4().hex}"
    files = [
        {"name": default_storage.save(f"{folder}/{upload.name}", upload), "label": upload.name} for upload in uploads
    ]
    arguments = {"files": files, "base_url": base_url, "batch_size": batch_size}
    return start(JobKind.IMPORT_CLAIMREVIEW, user=user, arguments=arguments)


def summary_of(result: dict) -> ImportSummary:
    """The import's summary as a job's result holds it."""
    if not result:
        return ImportSummary()
    return ImportSummary(**{**result, "skipped": [tuple(skip) for skip in result["skipped"]]})


@job_task(JobKind.IMPORT_CLAIMREVIEW)
def import_claimreview_job(run: Run) -> dict:
    arguments = run.job.arguments
    documents = [(upload["label"], _read(upload)) for upload in arguments["files"]]
    found = [
        replace(found, position=f"{label}: {found.position}") if len(documents) > 1 else found
        for label, text in documents
        for found in find_claim_reviews(text, base_url=arguments["base_url"])
    ]
    if not found:
        raise JobRefused("No ClaimReview was found in the files.", code="nothing_found")
    run.progress(0, len(found))
    # What an attempt before this one stored, if its worker died: this one finds it stored already.
    earlier = summary_of(run.job.result)

    def checkpoint(summary: ImportSummary) -> None:
        run.checkpoint(summary.read, result=asdict(summary.after(earlier)))

    summary = claim_reviews_import(
        found, user=run.job.started_by, batch_size=arguments["batch_size"], checkpoint=checkpoint
    )
    run.progress(summary.read)
    return asdict(summary.after(earlier))


def _read(upload: dict) -> str:
    try:
        with default_storage.open(upload["name"]) as file:
            return file.read().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise JobRefused(
            f"{upload['label']} is no longer stored: the workers must share the web servers' MEDIA_ROOT.",
            code="upload_missing",
        ) from error
    except UnicodeDecodeError as error:
        raise JobRefused(f"{upload['label']} is not UTF-8 text ({error.reason}).", code="not_utf8") from error
