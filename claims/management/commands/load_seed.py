from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from claims.intake.seed import SeedError, SeedReport, load_seed

SEEDS_DIR = settings.BASE_DIR / "seeds"


def describe(counts) -> str:
    return ", ".join(f"{number} {label}{'' if number == 1 else 's'}" for label, number in sorted(counts.items()))


class Command(BaseCommand):
    help = (
        "Load the curated seed files (by default every seeds/*.yaml), all of them or, on any error, none. "
        "Loading again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Seed files to load instead of seeds/*.yaml.")

    def handle(self, *args, paths, **options):
        paths = paths or sorted(SEEDS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No seed files found in {SEEDS_DIR}.")
        # All the files in one transaction: a bad file (or a kill) leaves none of them loaded, as the error says.
        try:
            with transaction.atomic():
                reports = [(path, load_seed(path)) for path in paths]
        except SeedError as error:
            raise CommandError(f"Seed not loaded, nothing was changed. {error}") from error
        for path, report in reports:
            self.stdout.write(self.summary(path, report))

    def summary(self, path: Path, report: SeedReport) -> str:
        if not report.changed:
            return f"{path.name}: already loaded, nothing changed ({describe(report.unchanged)})."
        parts = [
            f"created {describe(report.created)}" if report.created else "",
            f"updated {describe(report.updated)}" if report.updated else "",
        ]
        return f"{path.name}: " + "; ".join(part for part in parts if part) + "."
