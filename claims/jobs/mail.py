"""Mail sent in the background through Django's mail framework (``EMAIL_*`` settings; the console in development).

``send_mail`` takes a ``key`` that names the message (``"verdict-published:12:edna"``): the same key sends one
mail, however often it is asked for, and its Message-ID is made from the key. A worker that dies after the server
took the message but before the job recorded it sends it again when the job is resumed, with the same Message-ID,
which mail clients show once.
"""

import hashlib
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from claims.jobs.running import JobRefused, Run, database_away, job_task, start
from claims.models import Job, JobKind


def send_mail(subject: str, body: str, to: list[str], *, key: str, html: str = "", user=None) -> Job:
    """The job that sends one mail to ``to``, from ``DEFAULT_FROM_EMAIL``; with an ``html`` alternative if given."""
    arguments = {"subject": subject, "body": body, "to": list(to), "html": html}
    return start(JobKind.SEND_MAIL, user=user, arguments=arguments, key=f"mail:{key}")


def mail_server_away(error: BaseException) -> str | None:
    """A server that could not be reached, hung up, or answered "try again later" (a 4xx reply)."""
    if isinstance(error, smtplib.SMTPResponseException) and 400 <= error.smtp_code < 500:
        return f"The mail server asked to try again later ({error.smtp_code})."
    if isinstance(error, ConnectionError | TimeoutError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return "The mail server could not be reached."
    return database_away(error)


def message_id(job: Job) -> str:
    digest = hashlib.sha256(job.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{urlsplit(settings.PUBLIC_URL).hostname}>"


@job_task(JobKind.SEND_MAIL, transient=mail_server_away)
def send_mail_job(run: Run) -> dict:
    arguments = run.job.arguments
    message = EmailMultiAlternatives(
        arguments["subject"], arguments["body"], to=arguments["to"], headers={"Message-ID": message_id(run.job)}
    )
    if arguments["html"]:
        message.attach_alternative(arguments["html"], "text/html")
    try:
        sent = message.send()
    except smtplib.SMTPException as error:
        if mail_server_away(error):
            raise
        raise JobRefused(f"The mail server refused the message: {error}", code="mail_refused") from error
    run.progress(sent, 1)
    return {"sent": sent}
