"""The verdict report: totals and distributions of a selection of fact-checks, counted by the database.

Two grouped queries make every number (ratings by month, ratings of the leading speakers), so the
report costs the same few queries at ten verdicts or a million. A report of current fact-checks reads
them from their summary (``CurrentFactCheck``, chosen by ``selection.chosen_for_report``), which spares
it the join of every verdict with its claim.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from claims.models import Rating, Speaker

LEADING_SPEAKERS = 10
LATEST_FACTCHECKS = 20
# The patterns that tell ratings apart without colour (printed in black and white), in scale order.
PATTERNS = ("solid", "diagonal", "dots", "crosshatch", "horizontal", "vertical", "reverse-diagonal")


@dataclass
class RatingShare:
    rating: Rating | None  # None: verdicts without a rating (drafts, for staff)
    count: int
    pattern: str

    @property
    def key(self) -> str:
        return self.rating.slug if self.rating else "none"

    @property
    def label(self) -> str:
        return self.rating.label if self.rating else "No rating yet"

    @property
    def color(self) -> str:
        return self.rating.color if self.rating else "#bbbbbb"


@dataclass
class SpeakerRow:
    speaker: Speaker
    count: int
    shares: list[RatingShare] = field(default_factory=list)


@dataclass
class VerdictReport:
    total: int
    ratings: list[RatingShare]
    months: list[tuple[datetime.date, int]]
    speakers: list[SpeakerRow]
    latest: list

    @classmethod
    def of(cls, verdicts: QuerySet) -> "VerdictReport":
        """The report of ``verdicts``, or of the same fact-checks in the report's summary (``CurrentFactCheck``)."""
        verdicts = verdicts.order_by()
        by_month_and_rating = verdicts.values_list(verdicts.month, "rating").annotate(n=Count("pk"))
        per_rating, per_month = Counter(), Counter()
        for month, rating, count in by_month_and_rating:
            per_rating[rating] += count
            if month is not None:
                per_month[month] += count
        scale = _scale(per_rating)
        return cls(
            total=sum(per_rating.values()),
            ratings=[RatingShare(rating, per_rating[key], pattern) for key, rating, pattern in scale],
            months=_every_month(per_month),
            speakers=_leading_speakers(verdicts, scale),
            latest=list(verdicts.newest(LATEST_FACTCHECKS)),
        )

    @property
    def largest_rating_count(self) -> int:
        return max((share.count for share in self.ratings), default=0)


def _scale(per_rating: Counter) -> list[tuple[int | None, Rating | None, str]]:
    """Every rating of the scale in its order (a pattern each), and "no rating" if any verdict lacks one."""
    ratings = [(rating.pk, rating) for rating in Rating.objects.all()]
    if per_rating.get(None):
        ratings.append((None, None))
    return [(key, rating, PATTERNS[index % len(PATTERNS)]) for index, (key, rating) in enumerate(ratings)]


def _every_month(per_month: Counter) -> list[tuple[datetime.date, int]]:
    """Counts for each month from the first to the last, months without verdicts included."""
    if not per_month:
        return []
    month, last = min(per_month), max(per_month)
    months = []
    while month <= last:
        months.append((month, per_month[month]))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _leading_speakers(verdicts: QuerySet, scale) -> list[SpeakerRow]:
    """The speakers with the most fact-checks, each with the count of every rating: the leading ones found by
    their totals, then only theirs counted by rating (a million fact-checks have some 70,000 pairs)."""
    speaker = verdicts.speaker_field
    totals = verdicts.values_list(speaker).annotate(n=Count("pk"))
    leading = [pk for pk, _ in totals.order_by("-n", speaker)[:LEADING_SPEAKERS]]
    counts = verdicts.filter(**{f"{speaker}__in": leading}).values_list(speaker, "rating").annotate(n=Count("pk"))
    per_speaker: dict[int, Counter] = defaultdict(Counter)
    for pk, rating, count in counts:
        per_speaker[pk][rating] += count
    speakers = Speaker.objects.in_bulk(leading)
    return [
        SpeakerRow(
            speakers[pk],
            per_speaker[pk].total(),
            [RatingShare(rating, per_speaker[pk][key], pattern) for key, rating, pattern in scale],
        )
        for pk in leading
    ]
