from django.core.management.base import CommandError
from django.db import transaction

from claims.management.base import ClaimsCommand
from claims.models import CurrentFactCheck


class Command(ClaimsCommand):
    help = (
        "Compare the verdict report's summary of current fact-checks with the claims and verdicts it is derived "
        "from; with --repair, rebuild it. Fails when rows differ and --repair was not given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Rebuild the summary from the claims and verdicts.")

    def handle(self, *args, repair, **options):
        differences = CurrentFactCheck.objects.differences()
        if not differences:
            self.stdout.write(f"The report summary holds the {CurrentFactCheck.objects.count()} current fact-checks.")
            return
        if not repair:
            raise CommandError(
                f"{differences} row{'s' if differences != 1 else ''} of the report summary differ from the claims "
                "and verdicts; run check_report_summary --repair to rebuild it."
            )
        with transaction.atomic():
            CurrentFactCheck.objects.rebuild()
        self.stdout.write(
            f"Rebuilt the report summary: {differences} row{'s' if differences != 1 else ''} differed; "
            f"it holds the {CurrentFactCheck.objects.count()} current fact-checks."
        )
