"""ClaimReview JSON-LD records (schema.org, and Google's fact-check structured data) of verdicts.

Required by Google: ``claimReviewed``, ``reviewRating`` (with ``alternateName``) and ``url``;
recommended: ``author``, ``itemReviewed`` (a ``Claim`` with its ``author``, ``datePublished``,
``appearance`` and ``firstAppearance``), and the rating's ``ratingValue``, ``bestRating`` and
``worstRating``. Every record this module makes is valid against ``claimreview.schema.json``.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max, Min, QuerySet

from claims.exports.selection import CLAIMREVIEW_COLUMNS, claimreview_rows
from claims.models import Rating, SpeakerKind, Verdict

SCHEMA_PATH = Path(__file__).with_name("claimreview.schema.json")

_PEOPLE = {SpeakerKind.PERSON, SpeakerKind.ANONYMOUS}


@dataclass(frozen=True)
class Scale:
    """The ends of the ordinal rating scale, which every numeric rating is read against."""

    best: int | None
    worst: int | None

    @classmethod
    def current(cls) -> "Scale":
        ends = Rating.objects.filter(value__isnull=False).aggregate(best=Max("value"), worst=Min("value"))
        return cls(best=ends["best"], worst=ends["worst"])


def claim_review(row: dict, scale: Scale) -> dict:
    """The ClaimReview of one verdict, from a row of ``CLAIMREVIEW_COLUMNS``; empty values are left out.

    Each object leaves out its own empty properties as it is built: cheaper, at a million
    records, than cleaning the finished record recursively.
    """
    return _compact(
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": row["factcheck_url"],
            "claimReviewed": row["claim_text"],
            "headline": row["headline"],
            "datePublished": row["published_at"],
            "inLanguage": row["language"],
            "author": _organization(row["publisher_name"], row["publisher_url"])
            or _organization(settings.NEWSROOM_NAME, settings.NEWSROOM_URL),
            "reviewRating": _rating(row, scale),
            "itemReviewed": _claim(row),
        }
    )


def _rating(row: dict, scale: Scale) -> dict:
    rating = {"@type": "Rating", "alternateName": row["rating"]}
    if row["rating_value"] is not None and scale.best is not None:
        rating |= {"ratingValue": row["rating_value"], "bestRating": scale.best, "worstRating": scale.worst}
    return rating


def _claim(row: dict) -> dict:
    is_person = row["speaker_kind"] in _PEOPLE
    author = _compact(
        {
            "@type": "Person" if is_person else "Organization",
            "name": row["speaker"],
            "jobTitle": row["speaker_role"] if is_person else "",
            "sameAs": row["speaker_same_as"],
        }
    )
    return _compact(
        {
            "@type": "Claim",
            "author": author,
            "datePublished": row["claim_date"],
            "appearance": _creative_work(row, "source"),
            "firstAppearance": _creative_work(row, "first_appearance"),
        }
    )


def _creative_work(row: dict, prefix: str) -> dict | None:
    if not row[f"{prefix}_title"]:
        return None
    return _compact(
        {
            "@type": "CreativeWork",
            "url": row[f"{prefix}_url"],
            "headline": row[f"{prefix}_title"],
            "datePublished": row[f"{prefix}_published_on"],
            "publisher": _organization(row[f"{prefix}_publisher"], ""),
        }
    )


def _organization(name: str, url: str) -> dict | None:
    return _compact({"@type": "Organization", "name": name, "url": url}) if name else None


def _compact(properties: dict) -> dict:
    """The properties that have a value: JSON-LD states what is known and leaves out the rest."""
    return {key: value for key, value in properties.items() if value is not None and value != ""}


def claim_reviews(verdicts: QuerySet) -> Iterator[dict]:
    """The ClaimReview records of the published ones of ``verdicts``, read row by row with flat memory."""
    scale = Scale.current()
    published = verdicts.filter(status=Verdict.Status.PUBLISHED)
    for values in claimreview_rows(published).iterator(chunk_size=2000):
        yield claim_review(dict(zip(CLAIMREVIEW_COLUMNS, values, strict=True)), scale)


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())
