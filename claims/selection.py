"""Which records a request chooses: the filters (django-filter) of the API's lists, the exports,
the verdict report and the ``export_verdicts`` command, declared once.

Every filter lands on an indexed column or a join on one, so that lists stay fast at a million
claims; ``q`` uses the stored full-text vector on PostgreSQL (``ClaimQuerySet.search``). A filter
set validates its parameters and refuses what it cannot read, rather than ignoring it.
"""

import datetime
from functools import cache
from types import SimpleNamespace

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchRank
from django.db import connections
from django.db.models import F, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from claims.models import (
    Claim,
    ClaimStatus,
    CurrentFactCheck,
    Evidence,
    Source,
    Speaker,
    Verdict,
    VerdictStatus,
    claim_search_query,
    sees_unpublished,
)
from claims.text import field_problems


@cache
def filter_parameters(filterset_class) -> dict[str, str]:
    """The query parameters the filters read, each with what it means; a range filter is read by
    its ends (claim_date_after, claim_date_before)."""
    parameters = {}
    for name, definition in filterset_class.base_filters.items():
        suffixes = getattr(definition.field_class.widget, "suffixes", ())
        for parameter in [f"{name}_{suffix}" for suffix in suffixes] or [name]:
            parameters[parameter] = str(definition.label or name.replace("_", " ").capitalize())
    return parameters


@cache
def parameter_names(filterset_class) -> frozenset[str]:
    """The parameters the filters read, and the bare names of range filters, which the filter set
    refuses when sent (an empty ``claim_date=``) rather than letting them pass unread."""
    return frozenset(filter_parameters(filterset_class)) | frozenset(filterset_class.base_filters)


def literal(message: str) -> str:
    """A message quoting what was sent, made safe from django-filter's ``message % params``."""
    return message.replace("%", "%%")


class StrictFilterSet(filters.FilterSet):
    """Refuses a parameter sent empty unless it is free text (an empty id, date, choice or flag names
    nothing), and any parameter holding a NUL character."""

    def is_valid(self):
        valid = super().is_valid()
        for parameter, value in self.data.items():
            name = parameter if parameter in self.filters else parameter.rpartition("_")[0]
            if isinstance(self.filters.get(name), filters.OrderingFilter) and "" in value.split(","):
                self.form.add_error(name, literal(f"{parameter} has an empty field name: {value!r}."))
                valid = False
            if "\x00" in value and name in self.filters:  # PostgreSQL refuses NUL in any text
                self.form.add_error(name, literal(f"{parameter} contains a NUL character."))
                valid = False
            if value == "" and name in self.filters and not isinstance(self.filters[name], filters.CharFilter):
                self.form.add_error(name, literal(f"{parameter} was sent empty: give a value or leave it out."))
                valid = False
        return valid


MAX_ID = 2**63 - 1  # the largest bigint: a larger number makes PostgreSQL fail the query


def is_whole_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def is_id(text: str) -> bool:
    return is_whole_number(text) and 0 < int(text) <= MAX_ID


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A record's id: a whole number the database can hold; anything else is refused with 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class TrueOrFalseField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError(literal(f"Expected true or false, not {value!r}."), code="invalid")
        return value == "true"


class StrictBooleanFilter(filters.BooleanFilter):
    """true or false; anything else is refused (django-filter reads "null" or "unknown" as no filter)."""

    field_class = TrueOrFalseField


class SearchFilter(filters.CharFilter):
    """``q``: words, "quoted phrases", -excluded and or-ed words, as in a web search."""

    def filter(self, qs, value):
        if not value:
            return qs
        if qs.model is Claim:
            return qs.search(value)
        return qs.filter(**{f"{self.field_name}__in": Claim.objects.search(value).values("pk")})


class DayRangeFilter(filters.DateFromToRangeFilter):
    """A range of days on a timestamp, compared with the instants that start and end them, which an index serves."""

    def filter(self, qs, value):
        if value and value.start:
            qs = qs.filter(**{f"{self.field_name}__gte": _start_of(value.start)})
        if value and value.stop:
            qs = qs.filter(**{f"{self.field_name}__lt": _start_of(value.stop + datetime.timedelta(days=1))})
        return qs


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ClaimOrdering(filters.OrderingFilter):
    """Orders a list; ``rank`` (best match first) needs ``q`` and PostgreSQL, else the newest come first.

    The rank is computed only when asked for: it reads the vector of every match, not just of a page.
    """

    def filter(self, qs, value):
        if value and any(field.lstrip("-") == "rank" for field in value):
            terms = self.parent.form.cleaned_data.get("q")
            if terms and connections[qs.db].vendor == "postgresql":
                qs = qs.annotate(rank=SearchRank(F("search_vector"), claim_search_query(terms)))
            else:
                value = [field for field in value if field.lstrip("-") != "rank"]
        return super().filter(qs, value)


class ClaimSelection(StrictFilterSet):
    """The filters that choose claims, declared once for claim lists, verdict lists and exports.

    A filter set of another model names the way from its rows to their claim in ``claim_path``
    ("claim__" from a verdict), and every filter here reads its field through it.
    """

    claim_path = ""

    q = SearchFilter(field_name="pk", label="Full-text search of the claim text")
    speaker = IdFilter(field_name="speaker_id", label="Speaker id")
    source = IdFilter(field_name="source_id", label="Source id")
    publisher = filters.CharFilter(field_name="source__publisher", label="Publisher of the source (exact)")
    topic = filters.CharFilter(field_name="topics__slug", label="Topic slug")
    assignee = filters.CharFilter(method="filter_assignee", label="User name of the assignee (newsroom staff only)")
    claim_date = filters.DateFromToRangeFilter(label="Claim date range (claim_date_after, claim_date_before)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ClaimSelection.declared_filters:
            self.filters[name].field_name = self.claim_path + self.filters[name].field_name

    def filter_assignee(self, queryset, name, value):
        # Who worked on a claim is internal: for anyone else the filter matches nothing.
        if not sees_unpublished(self.request.user, Claim):
            return queryset.none()
        return queryset.filter(**{f"{self.claim_path}assignee__username": value})


class ClaimFilter(ClaimSelection):
    status = filters.MultipleChoiceFilter(choices=ClaimStatus.choices)
    rating = filters.CharFilter(field_name="current_verdict__rating__slug", label="Slug of the current rating")
    published = DayRangeFilter(
        field_name="current_verdict__published_at",
        label="Publication date range of the current verdict (published_after, published_before)",
    )
    has_verdict = StrictBooleanFilter(
        field_name="current_verdict", lookup_expr="isnull", exclude=True, label="Has a published verdict"
    )
    ordering = ClaimOrdering(
        fields=[
            ("id", "id"),
            ("claim_date", "claim_date"),
            ("created_at", "created_at"),
            ("current_verdict__published_at", "published_at"),
            ("checkworthiness", "checkworthiness"),
            ("rank", "rank"),
        ]
    )

    class Meta:
        model = Claim
        fields = []


class VerdictFilter(ClaimSelection):
    """Verdicts chosen by their own state and by every filter on their claim."""

    claim_path = "claim__"

    claim = IdFilter(field_name="claim_id", label="Claim id")
    status = filters.MultipleChoiceFilter(choices=VerdictStatus.choices)
    rating = filters.CharFilter(field_name="rating__slug", label="Rating slug")
    published = DayRangeFilter(
        field_name="published_at", label="Publication date range (published_after, published_before)"
    )
    language = filters.CharFilter()
    ordering = filters.OrderingFilter(fields=["id", "published_at", "created_at"])

    class Meta:
        model = Verdict
        fields = []


class CurrentFactCheckFilter(VerdictFilter):
    """The verdict filters on the report's summary of current fact-checks, whose verdict is one join away."""

    language = filters.CharFilter(field_name="verdict__language")
    ordering = filters.OrderingFilter(
        fields=[("verdict_id", "id"), ("published_at", "published_at"), ("verdict__created_at", "created_at")]
    )

    class Meta:
        model = CurrentFactCheck
        fields = []


class EvidenceFilter(StrictFilterSet):
    claim = IdFilter(field_name="claim_id", label="Claim id")

    class Meta:
        model = Evidence
        fields = ["stance", "kind"]


class SpeakerFilter(StrictFilterSet):
    name = filters.CharFilter(
        method="filter_name", help_text="The speaker who goes by this name: their own, or one of their aliases."
    )

    class Meta:
        model = Speaker
        fields = ["kind", "slug", "name"]

    def filter_name(self, queryset, name, value):
        return queryset.named(value) if value else queryset


class SourceFilter(StrictFilterSet):
    class Meta:
        model = Source
        fields = ["publisher", "kind"]


# Exports and the report: verdicts chosen by the verdict list's filters, refused when unknown.


class SelectionError(ValueError):
    """Filters an export cannot apply: unknown names or invalid values, by parameter."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(field_problems(errors))


def verdict_filter_names() -> dict[str, str]:
    """The query parameters an export takes, those of the verdict list (claim filters included), with what they mean."""
    return filter_parameters(VerdictFilter)


def chosen_verdicts(*, user, params) -> QuerySet:
    """The verdicts ``user`` may see that ``params`` choose, by id unless ``ordering`` says otherwise.

    Without a ``status`` filter an export holds each claim's current fact-check: published, and
    not since replaced by a correction. Naming statuses selects every verdict in them instead.
    """
    verdicts = Verdict.objects.visible_to(user) if "status" in params else Verdict.objects.current()
    chosen = _chosen(VerdictFilter, verdicts, user=user, params=params)
    return chosen if "ordering" in params else chosen.order_by("pk")


def chosen_for_report(*, user, params) -> QuerySet:
    """What ``chosen_verdicts`` chooses, for the verdict report: current fact-checks come from their summary
    (``CurrentFactCheck``); a ``status`` filter chooses among every verdict, as it does there."""
    if "status" in params:
        return chosen_verdicts(user=user, params=params)
    return _chosen(CurrentFactCheckFilter, CurrentFactCheck.objects.all(), user=user, params=params)


def _chosen(filterset_class, queryset: QuerySet, *, user, params) -> QuerySet:
    unknown = sorted(set(params) - verdict_filter_names().keys())
    if unknown:
        raise SelectionError({name: [f"{name} is not a filter of this export."] for name in unknown})
    filterset = filterset_class(params, queryset=queryset, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        raise SelectionError(
            {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        )
    return filterset.qs
