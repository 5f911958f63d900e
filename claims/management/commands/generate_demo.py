from django.core.management.base import BaseCommand, CommandError

from claims.intake.demo import DemoError, generate_demo


class Command(BaseCommand):
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
        on_terminal = self.stderr.isatty()  # progress is for people watching, not for logs
        try:
            counts = generate_demo(claims=claims, seed=seed, progress=self.show_progress if on_terminal else None)
        except DemoError as error:
            raise CommandError(f"Nothing was generated: {error}") from error
        finally:
            if on_terminal:
                self.stderr.write("", style_func=str)  # end the progress line
        summary = ", ".join(f"{number} {label}" for label, number in counts.items())
        self.stdout.write(f"Generated synthetic demo data with seed {seed}: {summary}.")

    def show_progress(self, done: int, total: int) -> None:
        # The same line is overwritten; ``str`` keeps Django from colouring stderr red.
        self.stderr.write(f"\rclaims {done}/{total}", style_func=str, ending="")
        self.stderr.flush()
