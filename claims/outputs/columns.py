"""The columns of the exports (CSV, JSON) and of ClaimReview records, as database expressions.

Every value is computed by the database, formatted as it is written out (ISO dates, absolute
URLs), so that the CSV streamed by PostgreSQL's ``COPY`` and the rows read through Python are the
same text, and no export path converts a million values in Python.
"""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, F, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.urls import reverse

from claims.models import Evidence

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
    """URLs joined by spaces (a URL holds none), in the order they were added."""

    def __init__(self, expression):
        super().__init__(expression, " ", order_by="id", output_field=TextField())

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite orders GROUP_CONCAT by its scan, here the (claim, id) index: the order they were added.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"GROUP_CONCAT({sql}, ' ')", params


def evidence_urls(cell=F):
    links = Evidence.objects.filter(claim=OuterRef("claim_id")).exclude(url="").order_by().values("claim_id")
    return Subquery(links.annotate(urls=SpaceJoined(cell("url"))).values("urls"), output_field=TextField())


def factcheck_url(cell=F):
    """The verdict's canonical URL, else its public page here; none before publication."""
    pages = f"{settings.PUBLIC_URL}{reverse('factcheck-index')}"
    return Case(
        When(~Q(url=""), then=cell("url")),
        When(~Q(slug=""), then=Concat(Value(pages), F("slug"), Value("/"))),
        default=Value(None),
        output_field=TextField(),
    )


# The columns of the CSV and JSON exports, in order.
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
)

# What a ClaimReview record is made of (``claims.outputs.claimreview``).
CLAIMREVIEW_COLUMNS = (
    "factcheck_url",
    "claim_text",
    "headline",
    "published_at",
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
)


def _expressions(cell=F) -> dict:
    """Every column, by name. ``cell`` reads each text that people typed (``SpreadsheetText`` for a
    spreadsheet); what is computed here (ids, ISO dates, statuses, our own page URLs) never
    starts a formula, and wrapping an expression would make the database evaluate it thrice."""
    return {
        "verdict_id": F("pk"),
        "claim_id": F("claim_id"),
        "claim_text": cell("claim__text"),
        "speaker": cell("claim__speaker__name"),
        "speaker_kind": F("claim__speaker__kind"),
        "speaker_role": cell("claim__speaker__role"),
        "speaker_same_as": cell("claim__speaker__same_as"),
        "source_title": cell("claim__source__title"),
        "source_publisher": cell("claim__source__publisher"),
        "source_url": cell("claim__source__url"),
        "source_published_on": IsoDate("claim__source__published_on"),
        "first_appearance_url": cell("claim__first_appearance__url"),
        "first_appearance_title": cell("claim__first_appearance__title"),
        "first_appearance_publisher": cell("claim__first_appearance__publisher"),
        "first_appearance_published_on": IsoDate("claim__first_appearance__published_on"),
        "claim_date": IsoDate("claim__claim_date"),
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
    }


def table_rows(verdicts: QuerySet, *, for_spreadsheet: bool) -> QuerySet:
    """The export's table as tuples in ``TABLE_COLUMNS`` order; ``for_spreadsheet`` neutralises formulas."""
    expressions = _expressions(SpreadsheetText if for_spreadsheet else F)
    return _tuples(verdicts, {name: expressions[name] for name in TABLE_COLUMNS})


def claimreview_rows(verdicts: QuerySet) -> QuerySet:
    """What ClaimReview records are made of, as tuples in ``CLAIMREVIEW_COLUMNS`` order."""
    expressions = _expressions()
    return _tuples(verdicts, {name: expressions[name] for name in CLAIMREVIEW_COLUMNS})


def _tuples(verdicts: QuerySet, columns: dict) -> QuerySet:
    # Annotations may not share a field's name ("headline"), hence the prefix.
    named = {f"export_{name}": value for name, value in columns.items()}
    return verdicts.annotate(**named).values_list(*named)
