"""The columns of the exports (CSV, JSON) and of ClaimReview records, as database expressions.

Every value is computed by the database, formatted as it is written out (ISO dates, absolute
URLs), so that the CSV streamed by PostgreSQL's ``COPY`` and the rows read through Python are the
same text, and no export path converts a million values in Python.

A published version shows the claim as an editor approved it (``Verdict.shown``) and the evidence
it cites, which no longer changes; only a draft, which has no such record yet, reads the claim,
its speaker and its sources as they are now.
"""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, DateTimeField, F, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat, NullIf
from django.urls import reverse

from claims.models import PUBLIC_VERDICT_STATUSES, FactCheckEvent, Verdict

# The first characters that make a spreadsheet run a cell as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetText(Func):
    """Text as a spreadsheet must show it: a cell that would run as a formula gets a leading
    apostrophe, and an empty cell is NULL, which CSV writes unquoted on every path."""

    output_field = TextField()

    def as_sql(self, compiler, connection, first_character="ascii", **extra_context):
        # The first character's code point, compared as integers: no substring is built per value.
        sql, params = compiler.compile(self.source_expressions[0])
        codes = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
        return (
            f"CASE WHEN {first_character}({sql}) IN ({codes}) THEN %s || {sql} ELSE NULLIF({sql}, '') END",
            (*params, "'", *params, *params),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, first_character="unicode", **extra_context)


class IsoInstant(Func):
    """A timestamp as ISO 8601 in UTC to the second: 2019-07-05T14:30:00Z."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"""to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {sql})", params


class IsoDate(Func):
    """A date as ISO 8601 (2019-07-05), whatever the server's DateStyle."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql}, 'YYYY-MM-DD')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as ISO text already; the cast keeps sqlite3 from parsing it into a date.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS TEXT)", params


class SpaceJoined(StringAgg):
    """URLs joined by spaces (a URL holds none), in the order the evidence was added."""

    def __init__(self, expression):
        super().__init__(expression, " ", order_by="evidence_id", output_field=TextField())

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite orders GROUP_CONCAT by its scan, here the (verdict, evidence) index: the order they were added.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"GROUP_CONCAT({sql}, ' ')", params


def evidence_urls(cell=F):
    """The links of the evidence the verdict cites."""
    citations = Verdict.evidence.through.objects.filter(verdict=OuterRef("pk")).exclude(evidence__url="")
    urls = citations.order_by().values("verdict").annotate(urls=SpaceJoined(cell("evidence__url")))
    return Subquery(urls.values("urls"), output_field=TextField())


def factcheck_url(cell=F):
    """The verdict's canonical URL, else its claim's fact-check page here; none before publication
    (``Verdict.factcheck_url``)."""
    pages = f"{settings.PUBLIC_URL}{reverse('factcheck-index')}"
    has_page = Q(publisher_name="", status__in=PUBLIC_VERDICT_STATUSES) & ~Q(claim__slug="")
    return Case(
        When(~Q(url=""), then=cell("url")),
        When(has_page, then=Concat(Value(pages), F("claim__slug"), Value("/"))),
        default=Value(None),
        output_field=TextField(),
    )


def as_shown(key: str, now, *, date: bool = False) -> Case:
    """The value under ``key`` of the claim as the version shows it, or ``now`` for a draft."""
    shown = KT(f"shown__{key}")
    if date:
        # SQLite reads a JSON null as the text "null", which no ISO date is.
        shown = NullIf(shown, Value("null"))
    return Case(When(shown__isnull=True, then=now), default=shown, output_field=TextField())


def rating_url():
    """Where the rating is defined: our methodology for our own verdicts, else where their publisher said."""
    definitions = f"{settings.PUBLIC_URL}{reverse('methodology')}#rating-"
    return Case(
        When(publisher_name="", then=Concat(Value(definitions), F("rating__slug"))),
        default=F("rating_url"),
        output_field=TextField(),
    )


def first_published_at():
    """When the claim's fact-check was first published: for another publisher's, its own date."""
    first = FactCheckEvent.objects.filter(claim=OuterRef("claim_id"), kind=FactCheckEvent.Kind.PUBLISHED)
    return Coalesce(
        Subquery(first.order_by("happened_at").values("happened_at")[:1]),
        F("published_at"),
        output_field=DateTimeField(),
    )


def last_changed_at():
    """When the claim's fact-check last changed in public, if it ever did after it was first published."""
    changes = FactCheckEvent.objects.filter(claim=OuterRef("claim_id")).exclude(kind=FactCheckEvent.Kind.PUBLISHED)
    return Subquery(changes.order_by("-happened_at").values("happened_at")[:1], output_field=DateTimeField())


# The columns of the CSV and JSON exports, in order; a correction or update says so and why in the last two.
TABLE_COLUMNS = (
    "verdict_id",
    "claim_id",
    "claim_text",
    "speaker",
    "speaker_role",
    "source_title",
    "source_publisher",
    "source_url",
    "claim_date",
    "rating",
    "rating_value",
    "headline",
    "summary",
    "status",
    "published_at",
    "factcheck_url",
    "evidence_urls",
    "change_kind",
    "change_note",
)

# What a ClaimReview record is made of (``claims.outputs.claimreview``).
CLAIMREVIEW_COLUMNS = (
    "factcheck_url",
    "claim_text",
    "headline",
    "language",
    "publisher_name",
    "publisher_url",
    "rating",
    "rating_value",
    "speaker",
    "speaker_kind",
    "speaker_role",
    "speaker_same_as",
    "claim_date",
    "source_url",
    "source_title",
    "source_publisher",
    "source_published_on",
    "first_appearance_url",
    "first_appearance_title",
    "first_appearance_publisher",
    "first_appearance_published_on",
    "rating_url",
    "first_published_at",
    "last_changed_at",
)


def as_is(value):
    """A column's value as stored: a field by name, or an expression."""
    return F(value) if isinstance(value, str) else value


def _expressions(cell=as_is) -> dict:
    """Every column, by name. ``cell`` reads each text that people typed (``SpreadsheetText`` for a
    spreadsheet); what is computed here (ids, ISO dates, statuses, our own page URLs) never
    starts a formula, and wrapping an expression would make the database evaluate it thrice."""

    def shown(key: str, now: str):
        return cell(as_shown(key, F(now)))

    return {
        "verdict_id": F("pk"),
        "claim_id": F("claim_id"),
        "claim_text": shown("text", "claim__text"),
        "speaker": shown("speaker__name", "claim__speaker__name"),
        "speaker_kind": as_shown("speaker__kind", F("claim__speaker__kind")),
        "speaker_role": shown("speaker__role", "claim__speaker__role"),
        "speaker_same_as": shown("speaker__same_as", "claim__speaker__same_as"),
        "source_title": shown("source__title", "claim__source__title"),
        "source_publisher": shown("source__publisher", "claim__source__publisher"),
        "source_url": shown("source__url", "claim__source__url"),
        "source_published_on": as_shown("source__published_on", IsoDate("claim__source__published_on"), date=True),
        "first_appearance_url": shown("first_appearance__url", "claim__first_appearance__url"),
        "first_appearance_title": shown("first_appearance__title", "claim__first_appearance__title"),
        "first_appearance_publisher": shown("first_appearance__publisher", "claim__first_appearance__publisher"),
        "first_appearance_published_on": as_shown(
            "first_appearance__published_on", IsoDate("claim__first_appearance__published_on"), date=True
        ),
        "claim_date": as_shown("claim_date", IsoDate("claim__claim_date"), date=True),
        "rating": cell("rating__label"),
        "rating_value": F("rating__value"),
        "headline": cell("headline"),
        "summary": cell("summary"),
        "status": F("status"),
        "language": cell("language"),
        "publisher_name": cell("publisher_name"),
        "publisher_url": cell("publisher_url"),
        "published_at": IsoInstant("published_at"),
        "factcheck_url": factcheck_url(cell),
        "evidence_urls": evidence_urls(cell),
        "change_kind": cell("change_kind"),
        "change_note": cell("change_note"),
        "rating_url": rating_url(),
        "first_published_at": IsoInstant(first_published_at()),
        "last_changed_at": IsoInstant(last_changed_at()),
    }


def table_rows(verdicts: QuerySet, *, for_spreadsheet: bool) -> QuerySet:
    """The export's table as tuples in ``TABLE_COLUMNS`` order; ``for_spreadsheet`` neutralises formulas."""
    expressions = _expressions(SpreadsheetText if for_spreadsheet else as_is)
    return _tuples(verdicts, {name: expressions[name] for name in TABLE_COLUMNS})


def claimreview_rows(verdicts: QuerySet) -> QuerySet:
    """What ClaimReview records are made of, as tuples in ``CLAIMREVIEW_COLUMNS`` order."""
    expressions = _expressions()
    return _tuples(verdicts, {name: expressions[name] for name in CLAIMREVIEW_COLUMNS})


def _tuples(verdicts: QuerySet, columns: dict) -> QuerySet:
    # Annotations may not share a field's name ("headline"), hence the prefix.
    named = {f"export_{name}": value for name, value in columns.items()}
    return verdicts.annotate(**named).values_list(*named)
