from django.core.management.base import CommandError

from claims.intake.demo import DemoError, generate_demo
from claims.management.base import ClaimsCommand


class Command(ClaimsCommand):
    help = (
        "Generate a reproducible synthetic corpus for benchmarks and demos: users, speakers, sources, claims, "
        "verdicts, evidence and topics, all marked as synthetic. Use a fresh database: the command refuses one "
        "that already holds demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, required=True, help="How many claims to generate.")
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed and number of claims give the same corpus (default 1)."
        )

    def handle(self, *args, claims, seed, **options):
        if claims < 1:
            raise CommandError(f"--claims must be a positive whole number, not {claims}.")
        with self.progress_line(lambda done, total: f"claims {done}/{total}") as progress:
            try:
                counts = generate_demo(claims=claims, seed=seed, progress=progress)
            except DemoError as error:
                raise CommandError(f"Nothing was generated: {error}") from error
        summary = ", ".join(f"{number} {label}" for label, number in counts.items())
        self.stdout.write(f"Generated synthetic demo data with seed {seed}: {summary}.")
