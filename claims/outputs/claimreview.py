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

from claims.models import Rating, SpeakerKind, Verdict
from claims.outputs.columns import CLAIMREVIEW_COLUMNS, claimreview_rows

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
    """The ClaimReview of one verdict, from a row of ``CLAIMREVIEW_COLUMNS``.

    A property without a value is left out (JSON-LD states what is known), each object checking
    only its optional properties as it is built: at a million records, cleaning finished records
    cost more than building them.
    """
    record = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": row["factcheck_url"],
        "claimReviewed": row["claim_text"],
    }
    _add(record, "headline", row["headline"])
    _add(record, "datePublished", row["first_published_at"])
    _add(record, "dateModified", row["last_changed_at"])
    _add(record, "inLanguage", row["language"])
    record["author"] = _organization(row["publisher_name"], row["publisher_url"]) or _organization(
        settings.NEWSROOM_NAME, settings.NEWSROOM_URL
    )
    record["reviewRating"] = _rating(row, scale)
    record["itemReviewed"] = _claim(row)
    return record


def _rating(row: dict, scale: Scale) -> dict:
    rating = {"@type": "Rating", "alternateName": row["rating"]}
    if row["rating_value"] is not None and scale.best is not None:
        rating |= {"ratingValue": row["rating_value"], "bestRating": scale.best, "worstRating": scale.worst}
    _add(rating, "url", row["rating_url"])
    return rating


def _claim(row: dict) -> dict:
    is_person = row["speaker_kind"] in _PEOPLE
    author = {"@type": "Person" if is_person else "Organization", "name": row["speaker"]}
    if is_person:
        _add(author, "jobTitle", row["speaker_role"])
    _add(author, "sameAs", row["speaker_same_as"])
    claim = {"@type": "Claim", "author": author}
    _add(claim, "datePublished", row["claim_date"])
    _add(claim, "appearance", _creative_work(row, "source"))
    _add(claim, "firstAppearance", _creative_work(row, "first_appearance"))
    return claim


def _creative_work(row: dict, prefix: str) -> dict | None:
    if not row[f"{prefix}_title"]:
        return None
    work = {"@type": "CreativeWork"}
    _add(work, "url", row[f"{prefix}_url"])
    work["headline"] = row[f"{prefix}_title"]
    _add(work, "datePublished", row[f"{prefix}_published_on"])
    _add(work, "publisher", _organization(row[f"{prefix}_publisher"], ""))
    return work


def _organization(name: str, url: str) -> dict | None:
    if not name:
        return None
    organization = {"@type": "Organization", "name": name}
    _add(organization, "url", url)
    return organization


def _add(target: dict, key: str, value) -> None:
    if value is not None and value != "":
        target[key] = value


def claim_reviews(verdicts: QuerySet) -> Iterator[dict]:
    """The ClaimReview records of the published ones of ``verdicts``, read row by row with flat memory."""
    scale = Scale.current()
    published = verdicts.filter(status=Verdict.Status.PUBLISHED)
    for values in claimreview_rows(published).iterator(chunk_size=2000):
        yield claim_review(dict(zip(CLAIMREVIEW_COLUMNS, values, strict=True)), scale)


def load_schema() -> dict:
    """The JSON Schema that every record ``claim_review`` makes is valid against."""
    return json.loads(SCHEMA_PATH.read_text())
