import sys
from dataclasses import replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from claims.intake.claimreview.importing import BATCH_SIZE, ImportSummary, claim_reviews_import
from claims.intake.claimreview.reading import find_claim_reviews
from claims.management.base import ClaimsCommand
from claims.models import HttpUrlField


class Command(ClaimsCommand):
    help = (
        "Import other fact-checkers' ClaimReview as published verdicts: JSON-LD (one record, an array, @graph, "
        "DataFeed or DataFeedItem), a Google Fact Check Tools claims:search response, or fact-check web pages "
        "that embed ClaimReview. Relative URLs are resolved against the page's canonical link or og:url, else "
        "--base-url. A fact-check already imported (same url) is left as it is; a record that cannot be used is "
        "reported with its position and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files to read; - reads standard input.")
        self.add_user_option(parser, help="Record the import in the history under this user.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"Records per transaction ({BATCH_SIZE})."
        )
        parser.add_argument(
            "--base-url",
            default="",
            metavar="URL",
            help="Where the files were read from, to resolve their relative URLs against when a page names no "
            "address of its own (<link rel=canonical>, og:url), as pages saved from a browser often do not.",
        )

    def handle(self, *args, paths, user, batch_size, base_url, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if base_url:
            try:
                HttpUrlField().run_validators(base_url)
            except ValidationError as error:
                raise CommandError(f"--base-url must be an absolute http(s) address: {base_url!r}.") from error
        importer = self.find_user(user)
        documents = [(path, self.read(path)) for path in paths]
        found = (
            replace(found, position=f"{path}: {found.position}") if len(paths) > 1 else found
            for path, text in documents
            for found in find_claim_reviews(text, base_url=base_url)
        )
        with self.progress_line(lambda so_far: f"records read {so_far.read}") as progress:
            summary = claim_reviews_import(found, user=importer, batch_size=batch_size, progress=progress)
        self.report(summary)
        if summary.read == 0:
            raise CommandError("No ClaimReview was found in the input.")
        if summary.skipped:
            raise CommandError(f"{len(summary.skipped)} of {summary.read} records were skipped (see above).")

    def read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"Cannot read {path}: it is not UTF-8 text ({error.reason}).") from error

    def report(self, summary: ImportSummary) -> None:
        for position, reason in summary.skipped:
            self.stderr.write(f"Skipped {position}: {reason}")
        for label in summary.new_ratings:
            self.stdout.write(f"New non-ordinal rating: {label}")
        for sentence in summary.sentences():
            self.stdout.write(sentence)
