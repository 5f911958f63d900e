import os
import sys
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import CommandError
from django.http import QueryDict

from claims.management.base import ClaimsCommand
from claims.outputs.formats import FORMATS
from claims.selection import SelectionError, chosen_verdicts, verdict_filter_names

REPEATABLE = {"status"}


class Command(ClaimsCommand):
    help = (
        "Export verdicts as CSV, JSON or ClaimReview JSON-LD, chosen by the filters of the API's exports "
        "(--speaker 3 --published_after 2024-01-01 ...). Without --status, each claim's current published "
        "fact-check. Only what is published is exported unless --user names someone who may see more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="What to write.")
        parser.add_argument("--output", type=Path, help="The file to write (replaced only once complete); else stdout.")
        self.add_user_option(parser, help="Export what this user may see (default: what the public sees).")
        filters = parser.add_argument_group("filters", "The same as the API's (see /api/docs/).")
        for name, meaning in sorted(verdict_filter_names().items()):
            spellings = dict.fromkeys([f"--{name}", f"--{name.replace('_', '-')}"])
            filters.add_argument(
                *spellings,
                dest=f"filter:{name}",
                metavar="VALUE",
                action="append" if name in REPEATABLE else "store",
                help=f"{meaning} (repeatable)" if name in REPEATABLE else meaning,
            )

    def handle(self, *args, format, output, user, **options):
        params = QueryDict(mutable=True)
        for key, value in options.items():
            if key.startswith("filter:") and value is not None:
                params.setlist(key.removeprefix("filter:"), value if isinstance(value, list) else [value])
        try:
            verdicts = chosen_verdicts(user=self.find_user(user, if_none=AnonymousUser()), params=params)
        except SelectionError as error:
            raise CommandError(f"Nothing was exported: {error}") from error
        export = FORMATS[format]
        total = verdicts.count() if self.on_terminal else None  # a query only for the progress line
        with self.progress_line(lambda rows: f"verdicts {rows}/{total}") as progress:
            if output is None:
                self.write(sys.stdout.buffer, export.stream(verdicts, progress))
            else:
                self.write_file(output, export.stream(verdicts, progress))

    def write(self, stream, chunks) -> None:
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()

    def write_file(self, path: Path, chunks) -> None:
        """Write beside ``path`` and move into place when done: a failed export leaves no half file."""
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("wb") as file:
                self.write(file, chunks)
            os.replace(partial, path)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        finally:
            partial.unlink(missing_ok=True)
