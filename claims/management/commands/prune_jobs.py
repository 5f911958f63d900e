import datetime

from django.conf import settings
from django.utils import timezone

from claims.jobs.running import delete_jobs
from claims.management.base import ClaimsCommand
from claims.models import Job


class Command(ClaimsCommand):
    help = (
        "Delete the background jobs that ended more than JOB_RETENTION_DAYS days ago (or --days N), with their files: "
        "the uploads they imported and the exports they wrote. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep the jobs of the last N days.")

    def handle(self, *args, days, **options):
        days = settings.JOB_RETENTION_DAYS if days is None else days
        before = timezone.now() - datetime.timedelta(days=days)
        deleted = delete_jobs(Job.objects.finished_before(before))
        self.stdout.write(
            f"Deleted {deleted} job{'s' if deleted != 1 else ''} that ended before {before:%Y-%m-%d %H:%M}."
        )
