"""Dates as news writing gives them, resolved against the day of publication.

A weekday is the latest such day on or before publication; "in March" is the latest March; a day
("on Nov. 18") takes the year of the latest such day; "last week" and "over the weekend" give the month
only when the whole span falls in one month. A date is never after publication.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

DAY, MONTH, YEAR = "day", "month", "year"  # Values of ``Claim.DatePrecision`` (no models here: no database).

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
DATE_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("month day year", re.compile(rf"\b({MONTH_NAME}) (\d{{1,2}})(?:st|nd|rd|th)?(?:, (\d{{4}}))?\b")),
    ("day month year", re.compile(rf"\b(\d{{1,2}}) ({MONTH_NAME})(?: (\d{{4}}))?\b")),
    ("month year", re.compile(rf"\b({MONTH_NAME}) (\d{{4}})\b")),
    # "since January" starts a period; it does not date an event. "on Nov." has lost its day.
    (
        "in month",
        re.compile(rf"\b(?:[Ii]n|[Oo]f|[Dd]uring|[Ee]arly|[Ll]ate|[Mm]id-|[Oo]n) ?({MONTH_NAME})(?!\w)(?![.,]* \d)"),
    ),
    ("year", re.compile(r"\b(?:[Ii]n|[Dd]uring) ((?:19|20)\d{2})\b")),
    ("weekday", re.compile(r"\b(?:on |last |this )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    (
        "relative",
        re.compile(
            r"\b(yesterday|today|tonight|last week|this week|over the weekend|last weekend|this weekend|"
            r"last month|earlier this month|this month|last year|this year)\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class FoundDate:
    date: datetime.date
    precision: str
    phrase: str


def find_date(sentence: str, published_on: datetime.date | None) -> FoundDate | None:
    """The first date ``sentence`` gives that is not after ``published_on`` (relative ones need it)."""
    found = []
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(sentence):
            resolved = _resolve(kind, match.groups(), published_on)
            if resolved and (published_on is None or resolved[0] <= published_on):
                found.append((match.start(), FoundDate(resolved[0], resolved[1], match.group(0).strip())))
    return min(found, key=lambda item: item[0])[1] if found else None


def _resolve(kind: str, groups: tuple, published_on: datetime.date | None) -> tuple[datetime.date, str] | None:
    try:
        return _RESOLVERS[kind](groups, published_on)
    except (ValueError, TypeError, KeyError, AttributeError):  # "February 30", or no publication date to count from
        return None


def _latest_not_after(published_on: datetime.date | None, month: int, day: int = 1) -> datetime.date:
    """The latest ``month``/``day`` on or before publication: "in March" in July is this year's March."""
    candidate = datetime.date(published_on.year, month, day)
    return candidate if candidate <= published_on else datetime.date(published_on.year - 1, month, day)


def _month_day(groups, published_on, month_first=True):
    month_text, day_text, year_text = groups if month_first else (groups[1], groups[0], groups[2])
    month, day = MONTHS[month_text.rstrip(".").lower()], int(day_text)
    if year_text:
        return datetime.date(int(year_text), month, day), DAY
    return _latest_not_after(published_on, month, day), DAY


def _month_of(first: datetime.date, last: datetime.date) -> tuple[datetime.date, str] | None:
    """The month of a span of days, when it lies in one month."""
    if (first.year, first.month) != (last.year, last.month):
        return None
    return first.replace(day=1), MONTH


def _relative(groups, published_on):
    word = groups[0].lower()
    if word in ("yesterday",):
        return published_on - datetime.timedelta(days=1), DAY
    if word in ("today", "tonight"):
        return published_on, DAY
    monday = published_on - datetime.timedelta(days=published_on.weekday())
    if word == "last week":
        return _month_of(monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1))
    if word == "this week":
        return _month_of(monday, published_on)
    if word in ("over the weekend", "last weekend", "this weekend"):
        saturday = monday - datetime.timedelta(days=2)
        return _month_of(saturday, saturday + datetime.timedelta(days=1))
    if word == "last month":
        previous = published_on.replace(day=1) - datetime.timedelta(days=1)
        return previous.replace(day=1), MONTH
    if word in ("this month", "earlier this month"):
        return published_on.replace(day=1), MONTH
    if word == "this year":
        return datetime.date(published_on.year, 1, 1), YEAR
    return datetime.date(published_on.year - 1, 1, 1), YEAR


def _weekday(groups, published_on):
    back = (published_on.weekday() - WEEKDAYS[groups[0].lower()]) % 7
    return published_on - datetime.timedelta(days=back), DAY


_RESOLVERS = {
    "iso": lambda groups, _: (datetime.date(*map(int, groups)), DAY),
    "month day year": _month_day,
    "day month year": lambda groups, published_on: _month_day(groups, published_on, month_first=False),
    "month year": lambda groups, _: (datetime.date(int(groups[1]), MONTHS[groups[0].rstrip(".").lower()], 1), MONTH),
    "in month": lambda groups, published_on: (
        _latest_not_after(published_on, MONTHS[groups[0].rstrip(".").lower()]),
        MONTH,
    ),
    "year": lambda groups, _: (datetime.date(int(groups[0]), 1, 1), YEAR),
    "weekday": _weekday,
    "relative": _relative,
}
