import datetime
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from claims.intake.article_intake import ArticleRefused, Intake, intake_article
from claims.intake.articles import word_count
from claims.intake.pages import FetchError
from claims.management.base import ClaimsCommand
from claims.management.commands.extract_claims import table
from claims.text import field_problems


class Command(ClaimsCommand):
    help = (
        "Read a news article from its address (fetched, from public addresses only) or from a saved page (a file, "
        "or - for stdin): print its title, publisher, author, publication date, address and language, and the "
        "statements in it worth checking, ranked. With --save the article is stored as a source (once: an address "
        "already recorded answers with its source). A page without a publication date needs --published-on."
    )

    def add_arguments(self, parser):
        parser.add_argument("page", help="The article's http(s) address, or a saved page's file, or - for stdin.")
        parser.add_argument("--url", default="", help="For a saved page: the address it was saved from.")
        parser.add_argument(
            "--published-on", default="", help="Publication date, YYYY-MM-DD, if the page gives none or a wrong one."
        )
        parser.add_argument("--save", action="store_true", help="Store the article as a source.")
        self.add_user_option(parser, help="Record this user as the one who added the source.")

    def handle(self, *args, page, url, published_on, save, user, **options):
        published = self.parse_date(published_on)
        user = self.find_user(user, option="--user")
        is_address = "://" in page or page.lower().startswith(("http:", "https:"))
        if is_address and url:
            raise CommandError("--url names where a saved page came from; give either an address or a file.")
        html = None if is_address else self.read(page)
        try:
            intake = intake_article(
                page if is_address else url, html=html, published_on=published, user=user, save=save
            )
        except FetchError as error:
            raise CommandError(f"{error} Nothing was saved.") from error
        except ArticleRefused as error:
            hint = " (--published-on)" if error.field == "published_on" else ""
            raise CommandError(f"{error}{hint} Nothing was saved.") from error
        except ValidationError as error:
            raise CommandError(f"Nothing was saved: {field_problems(error.message_dict)}") from error
        self.stdout.write(describe(intake))
        candidates = intake.candidates()
        self.stdout.write("")
        self.stdout.write(table(candidates) if candidates else "No statement in its text is worth checking.")
        self.stdout.write("")
        self.stdout.write(outcome(intake, saving=save))

    def parse_date(self, value: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--published-on: {value!r} is not a date; use YYYY-MM-DD.") from error

    def read(self, path: str) -> bytes:
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        if not content.strip():
            raise CommandError(f"{'stdin' if path == '-' else path} is empty.")
        return content


def describe(intake: Intake) -> str:
    source, article = intake.source, intake.article
    publisher = source.publisher + (f" (from {article.publisher_basis})" if article and article.publisher else "")
    published = source.published_on.isoformat() if source.published_on else "-"
    if article and article.published_on and article.published_on == source.published_on:
        published += f" (from {article.date_basis})"
    elif article and source.published_on and not intake.recorded:
        published += " (as given)"
    rows = [
        ("Title", source.title),
        ("Publisher", publisher or "-"),
        ("Author", source.author or "-"),
        ("Published", published),
        ("Address", source.url or "-"),
        ("Language", source.language),
        ("Text", f"{word_count(source.text)} words"),
    ]
    return "\n".join(f"{name + ':':<11}{value}" for name, value in rows)


def outcome(intake: Intake, *, saving: bool) -> str:
    source = intake.source
    if intake.recorded:
        return f"Already recorded as source {source.pk}: {source}. Nothing was saved."
    if intake.created:
        return f"Saved as source {source.pk}: {source}."
    return "Nothing was saved; run again with --save to store the source." if not saving else ""
