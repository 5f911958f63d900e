import datetime
import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from claims.intake.extraction import Candidate, extract, headline
from claims.intake.proposals import extracted_claims_save
from claims.management.base import ClaimsCommand
from claims.models import Source
from claims.text import field_problems

TEXT_WIDTH = 70


class Command(ClaimsCommand):
    help = (
        "Propose the checkable statements of an article (a text file, or - for stdin), ranked by check-worthiness, "
        'with who said them and when. Relative dates ("on Friday", "in March") need --published-on. With --save '
        "the source and the candidates are stored as new claims; running it again creates nothing new. --save needs "
        "a title (--title, else the article's first line when it is a headline, without a closing full stop) and "
        "--publisher, who speaks the article's own voice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The article's text file, or - to read it from stdin.")
        parser.add_argument("--source-url", default="", help="The article's address; the source is matched on it.")
        parser.add_argument("--title", default="", help="The article's title (default: its headline, if it has one).")
        parser.add_argument("--publisher", default="", help="Who published it, e.g. Newsweek.")
        parser.add_argument("--published-on", default="", help="Publication date, YYYY-MM-DD.")
        parser.add_argument("--save", action="store_true", help="Store the source and the candidates as new claims.")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="What to print.")
        self.add_user_option(parser, help="Record this user as the one who added the claims.")

    def handle(self, *args, path, source_url, title, publisher, published_on, save, format, user, **options):
        published = self.parse_date(published_on)
        user = self.find_user(user or None, option="--user")  # an empty --user has always meant no one here
        text = self.read(path)
        title = title or headline(text)
        if save:
            self.check_can_save(title=title, publisher=publisher)
        candidates = extract(text, published_on=published, publisher=publisher)
        if format == "json":
            self.stdout.write(json.dumps([as_json(candidate) for candidate in candidates], indent=2))
        else:
            self.stdout.write(table(candidates))
        if save:
            source = Source(url=source_url, title=title, publisher=publisher, published_on=published, text=text)
            self.save(source, candidates, user)

    def read(self, path: str) -> str:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {getattr(error, 'strerror', None) or error}.") from error
        if not text.strip():
            raise CommandError(f"{'stdin' if path == '-' else path} holds no text.")
        return text

    def parse_date(self, value: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--published-on: {value!r} is not a date; use YYYY-MM-DD.") from error

    def check_can_save(self, *, title: str, publisher: str) -> None:
        if not title:
            raise CommandError("--save needs --title: the article's first line is not a headline. Nothing was saved.")
        if not publisher:
            raise CommandError("--save needs --publisher, who speaks the article's own voice. Nothing was saved.")

    def save(self, source: Source, candidates: list[Candidate], user) -> None:
        try:
            report = extracted_claims_save(source=source, candidates=candidates, user=user)
        except ValidationError as error:
            raise CommandError(f"Nothing was saved: {field_problems(error.message_dict)}") from error
        # On stderr, so that --format json keeps stdout a JSON document.
        self.stderr.write(
            f"Source {report.source.pk} ({report.source}): created {len(report.created)} claims, "
            f"{len(report.existing)} already recorded.",
            style_func=str,
        )


def as_json(candidate: Candidate) -> dict:
    return {
        "text": candidate.text,
        "is_verbatim": candidate.is_verbatim,
        "context": candidate.context,
        "speaker": candidate.speaker,
        "speaker_kind": candidate.speaker_kind,
        "claim_date": candidate.claim_date.isoformat() if candidate.claim_date else None,
        "claim_date_precision": candidate.claim_date_precision,
        "date_basis": candidate.date_basis,
        "score": candidate.score,
        "features": [{"feature": name, "weight": weight} for name, weight in candidate.features],
    }


def table(candidates: list[Candidate]) -> str:
    """Candidates best first: rank, score, speaker, date, and the text (quotes in quotation marks)."""
    speaker_width = max([len(c.speaker or "(publisher)") for c in candidates] + [len("speaker")])
    lines = [f"{'#':>3}  score  {'speaker':<{speaker_width}}  {'date':<10}  text"]
    for rank, candidate in enumerate(candidates, start=1):
        text = f'"{candidate.text}"' if candidate.is_verbatim else candidate.text
        text = text if len(text) <= TEXT_WIDTH else text[: TEXT_WIDTH - 1] + "…"
        lines.append(
            f"{rank:>3}  {candidate.score:.2f}   {candidate.speaker or '(publisher)':<{speaker_width}}  "
            f"{display_date(candidate):<10}  {text}"
        )
    return "\n".join(lines)


def display_date(candidate: Candidate) -> str:
    if candidate.claim_date is None:
        return "-"
    formats = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    return candidate.claim_date.strftime(formats[candidate.claim_date_precision])
