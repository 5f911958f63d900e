"""The verdict report's charts as SVG geometry, drawn by ``claims/report.html`` without JavaScript.

Each bar is filled with its rating's colour and pattern and labelled with its count, so a chart
reads the same printed in black and white.
"""

import datetime
from dataclasses import dataclass

from django.utils.text import Truncator

from claims.outputs.report import RatingShare, VerdictReport

LABEL_WIDTH = 190  # room for a rating's or a speaker's name left of the bars
BAR_AREA = 420
ROW_HEIGHT = 28
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str  # a colour, or a rating's pattern: url(#rating-<slug>)
    title: str


@dataclass(frozen=True)
class Row:
    label: str
    y: float  # the baseline of the row's text
    bars: list[Bar]
    note: str  # written after the bars
    note_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: list[Row]


def _scaled(count: int, largest: int, length: int = BAR_AREA) -> float:
    """The length of a bar for ``count`` when the ``largest`` one takes all of ``length``."""
    return round(length * count / largest, 1) if largest else 0


def rating_chart(report: VerdictReport) -> Chart:
    """One bar per rating, longest for the most frequent."""
    largest = report.largest_rating_count
    rows = []
    for index, share in enumerate(report.ratings):
        top = index * ROW_HEIGHT
        width = _scaled(share.count, largest)
        percent = f" ({share.count / report.total:.0%})" if report.total else ""
        rows.append(
            Row(
                label=share.label,
                y=top + BAR_HEIGHT - 4,
                bars=[_bar(LABEL_WIDTH, top, width, share, f"{share.label}: {share.count}")],
                note=f"{share.count:,}{percent}",
                note_x=LABEL_WIDTH + width + 6,
            )
        )
    return Chart(width=LABEL_WIDTH + BAR_AREA + 90, height=len(rows) * ROW_HEIGHT, rows=rows)


def speaker_chart(report: VerdictReport) -> Chart:
    """One stacked bar per leading speaker, a segment per rating, all on one scale."""
    largest = max((row.count for row in report.speakers), default=0)
    rows = []
    for index, speaker_row in enumerate(report.speakers):
        top = index * ROW_HEIGHT
        x, bars = LABEL_WIDTH, []
        for share in speaker_row.shares:
            if share.count:
                width = _scaled(share.count, largest)
                bars.append(_bar(x, top, width, share, f"{speaker_row.speaker.name}, {share.label}: {share.count}"))
                x += width
        rows.append(
            Row(
                label=Truncator(speaker_row.speaker.name).chars(28),
                y=top + BAR_HEIGHT - 4,
                bars=bars,
                note=f"{speaker_row.count:,}",
                note_x=x + 6,
            )
        )
    return Chart(width=LABEL_WIDTH + BAR_AREA + 60, height=len(rows) * ROW_HEIGHT, rows=rows)


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # x and label of each year's first month
    largest: int


MONTH_CHART_HEIGHT = 160


def month_chart(report: VerdictReport) -> MonthChart:
    """A bar per month, January of each year marked on the axis."""
    largest = max((count for _, count in report.months), default=0)
    step = max(2.0, min(24.0, 600 / max(len(report.months), 1)))
    bars, ticks = [], []
    for index, (month, count) in enumerate(report.months):
        x = 40 + index * step
        height = _scaled(count, largest, MONTH_CHART_HEIGHT)
        bars.append(
            Bar(x, MONTH_CHART_HEIGHT - height, max(step - 1, 1), height, "#4a5a6a", _month_title(month, count))
        )
        if month.month == 1 or index == 0:
            ticks.append((x, str(month.year)))
    width = int(40 + len(report.months) * step + 20)
    return MonthChart(width, MONTH_CHART_HEIGHT + 30, MONTH_CHART_HEIGHT, bars, _spaced(ticks), largest)


def _month_title(month: datetime.date, count: int) -> str:
    return f"{month:%B %Y}: {count:,}"


def _spaced(ticks: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Year labels at least 36 px apart, so that they never overlap."""
    kept = []
    for x, label in ticks:
        if not kept or x - kept[-1][0] >= 36:
            kept.append((x, label))
    return kept


def _bar(x: float, top: float, width: float, share: RatingShare, title: str) -> Bar:
    return Bar(x, top, width, BAR_HEIGHT, f"url(#rating-{share.key})", title)
