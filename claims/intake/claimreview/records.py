"""ClaimReview objects read into the values the tracker stores, or the reason they cannot be.

Real data bends Google's guidelines: ``http://schema.org`` contexts, URLs without a scheme, relative
(``/verifica/...``) or protocol-relative (``//example.org/...``) URLs, names given as lists, dates in
several ISO 8601 spellings or missing, a ``CreativeWork`` where a ``Claim`` belongs. What is valid
schema.org is accepted and kept in the publisher's own words; what cannot be stored is reported with
the property at fault.

A relative URL is resolved against the page's own address, as a browser would: its canonical link,
else its ``og:url``, else the address the page was read from (``Found.base_url``). Every URL a record
stores is read so; one that still cannot be made absolute is reported.
"""

import functools
import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from claims.intake.claimreview.reading import Found
from claims.models import HttpUrlField, SpeakerKind, language_tag_validator

# "und" is BCP 47 for an undetermined language: better than guessing English for a Portuguese check.
UNDETERMINED_LANGUAGE = "und"

_url_field = HttpUrlField()
# "mailto:", "https:", "javascript:": a URL that names its scheme is absolute, if not necessarily a web address.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# "aosfatos.org/noticias/...": a site's address written without its scheme.
_HOST_WITHOUT_SCHEME = re.compile(r"^[\w-]+(\.[\w-]+)+(/|$)")
_ORGANIZATION_TYPES = {"Organization", "NewsMediaOrganization", "GovernmentOrganization", "Corporation"}


class RecordError(ValueError):
    """Why one ClaimReview cannot be imported, naming the property at fault."""


@dataclass(frozen=True)
class Work:
    """A page where a claim appeared (``appearance``, ``firstAppearance``)."""

    url: str
    title: str
    publisher: str
    published_on: date | None


@dataclass(frozen=True)
class ReviewRecord:
    """One fact-check by another publisher, ready to be stored."""

    position: str
    url: str
    claim_text: str
    headline: str
    summary: str
    published_at: datetime | None
    language: str
    publisher_name: str
    publisher_url: str
    rating_label: str
    rating_url: str
    speaker_name: str
    speaker_kind: str
    speaker_role: str
    speaker_same_as: str
    claim_date: date | None
    appearance: Work | None
    first_appearance: Work | None


def review_record(found: Found) -> ReviewRecord:
    """``found`` as a record to store; ``RecordError`` says why it cannot be."""
    base = _page_address(found)
    if found.google_claim is not None:
        return _google_record(found.position, found.google_claim, found.review, base)
    review = found.review
    item = _node(review.get("itemReviewed"))
    rating = _node(review.get("reviewRating"))
    # The fact-checker is the ``author``, but some name their writer there and the newsroom as ``publisher``.
    publisher = _node(review.get("publisher")) or _node(review.get("author"))
    speaker = _node(item.get("author"))
    return ReviewRecord(
        position=found.position,
        url=_required_url(review.get("url"), "url", base),
        claim_text=_required_text(review.get("claimReviewed"), "claimReviewed"),
        headline=_text(review.get("headline")) or _text(review.get("name")),
        summary=_text(strip_tags(_text(review.get("reviewBody")) or _text(review.get("description")))),
        published_at=_instant(review.get("datePublished"), "datePublished"),
        language=_language(review.get("inLanguage") or found.page_language),
        publisher_name=_required_text(publisher.get("name"), "author.name (the fact-checker)"),
        publisher_url=_url(publisher.get("url"), "author.url", base),
        rating_label=_required_text(rating.get("alternateName"), "reviewRating.alternateName"),
        rating_url=_url(rating.get("url"), "reviewRating.url", base),
        speaker_name=_text(speaker.get("name")),
        speaker_kind=_speaker_kind(speaker),
        speaker_role=_text(speaker.get("jobTitle")),
        speaker_same_as=_url(speaker.get("sameAs"), "itemReviewed.author.sameAs", base),
        claim_date=_date(item.get("datePublished"), "itemReviewed.datePublished"),
        appearance=_appearance(item, base),
        first_appearance=_work(_first(item.get("firstAppearance")), "itemReviewed.firstAppearance", base),
    )


def _google_record(position: str, claim: dict, review: dict, base: str) -> ReviewRecord:
    """One review of the Fact Check Tools API's ``claims:search`` response."""
    site = _text(_node(review.get("publisher")).get("site"))
    return ReviewRecord(
        position=position,
        url=_required_url(review.get("url"), "url", base),
        claim_text=_required_text(claim.get("text"), "text"),
        headline=_text(review.get("title")),
        summary="",
        published_at=_instant(review.get("reviewDate"), "reviewDate"),
        language=_language(review.get("languageCode")),
        publisher_name=_required_text(_google_publisher(review), "publisher"),
        publisher_url=_url(site, "publisher.site", base),
        rating_label=_required_text(review.get("textualRating"), "textualRating"),
        rating_url="",
        speaker_name=_text(claim.get("claimant")),
        speaker_kind=SpeakerKind.PERSON,
        speaker_role="",
        speaker_same_as="",
        claim_date=_date(claim.get("claimDate"), "claimDate"),
        appearance=_first_review_page(claim, base),
        first_appearance=None,
    )


def _google_publisher(review: dict) -> str:
    publisher = _node(review.get("publisher"))
    return _text(publisher.get("name")) or _text(publisher.get("site"))


def _first_review_page(claim: dict, base: str) -> Work | None:
    """Where a claim of the Fact Check Tools API was found: its first review, which all its reviews share."""
    first = _node(claim["claimReview"])
    try:
        return _page(
            url=_required_url(first.get("url"), "url", base),
            headline=_text(first.get("title")),
            publisher=_google_publisher(first),
            published_at=_instant(first.get("reviewDate"), "reviewDate"),
        )
    except RecordError:
        return None


def review_page(record: ReviewRecord) -> Work:
    """The review itself as the page where the claim was found, for a review that names no appearance."""
    return _page(
        url=record.url, headline=record.headline, publisher=record.publisher_name, published_at=record.published_at
    )


def _page(*, url: str, headline: str, publisher: str, published_at: datetime | None) -> Work:
    return Work(
        url=url,
        title=headline or f"Fact-check by {publisher}",
        publisher=publisher,
        published_on=published_at.date() if published_at else None,
    )


def _appearance(item: dict, base: str) -> Work | None:
    appearance = _first(item.get("appearance"))
    if appearance:
        return _work(appearance, "itemReviewed.appearance", base)
    # Older markup reviews the page itself: itemReviewed is a CreativeWork with its own address.
    if item.get("@type") != "Claim" and item.get("url"):
        return _work(item, "itemReviewed", base)
    return None


def _work(node, where: str, base: str) -> Work | None:
    if isinstance(node, str):
        node = {"url": node}
    if not isinstance(node, dict):
        return None
    url = _url(node.get("url"), f"{where}.url", base)
    title = _text(node.get("headline")) or _text(node.get("name")) or url
    if not title:
        return None
    return Work(
        url=url,
        title=title,
        publisher=_text(_node(node.get("publisher")).get("name")),
        published_on=_date(node.get("datePublished"), f"{where}.datePublished"),
    )


def _node(value) -> dict:
    """A schema.org thing as an object: the first of a list, a bare name as its ``name``."""
    value = _first(value)
    if isinstance(value, str):
        return {"name": value}
    return value if isinstance(value, dict) else {}


def _first(value):
    """Schema.org allows a list wherever one value is expected; the first one is the main one."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value) -> str:
    value = _first(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    # Some publishers put HTML-escaped text in their JSON-LD ("Singh&#039;s").
    return re.sub(r"\s+", " ", html.unescape(str(value))).strip()


def _required_text(value, where: str) -> str:
    text = _text(value)
    if not text:
        raise RecordError(f"{where} is missing or empty")
    return text


def _speaker_kind(node: dict) -> str:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return SpeakerKind.ORGANIZATION if _ORGANIZATION_TYPES.intersection(kinds) else SpeakerKind.PERSON


def _url(value, where: str, base: str) -> str:
    """``value`` as an absolute web address, resolved against ``base`` (the page's own address) if relative."""
    written = _text(value)
    if not written:
        return ""
    url = _absolute(written, base)
    if not url:
        raise RecordError(
            f"{where} is a relative address ({written[:100]!r}) and the page's own address is unknown: "
            "it has no canonical link or og:url, and no base URL was given"
        )
    if not _is_web_address(url):
        raise RecordError(f"{where} is not an http(s) address: {written[:100]!r}")
    if len(url) > _url_field.max_length:
        raise RecordError(f"{where} is longer than {_url_field.max_length} characters")
    return url


def _absolute(url: str, base: str) -> str:
    """``url`` made absolute against ``base`` (an absolute web address, or ""); "" if it cannot be."""
    if _SCHEME.match(url):
        return url
    if url.startswith("//"):
        # Protocol-relative: the page's own scheme, else the web's.
        return f"{urlsplit(base).scheme or 'https'}:{url}"
    if _HOST_WITHOUT_SCHEME.match(url):
        return f"https://{url}"
    return urljoin(base, url) if base else ""


def _page_address(found: Found) -> str:
    """The address a page's relative URLs resolve against: the first of its canonical link, its og:url and
    the address it was read from that is, or resolves against the last to, a web address; else ""."""
    for candidate in (*found.page_urls, found.base_url):
        url = _absolute(candidate.strip(), found.base_url.strip())
        if url and _is_web_address(url) and len(url) <= _url_field.max_length:
            return url
    return ""


@functools.lru_cache(maxsize=4096)
def _is_web_address(url: str) -> bool:
    """Whether the model's own validators accept ``url``; remembered, as publishers and pages repeat."""
    try:
        _url_field.run_validators(url)
    except ValidationError:
        return False
    return True


def _required_url(value, where: str, base: str) -> str:
    url = _url(value, where, base)
    if not url:
        raise RecordError(f"{where} is missing: a fact-check is known by its address")
    return url


def _instant(value, where: str) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{where} is not an ISO 8601 date: {text[:40]!r}") from None
    # A date without a time zone is read as UTC, the only reading that does not depend on this server.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value, where: str) -> date | None:
    moment = _instant(value, where)
    return moment.date() if moment else None


def _language(value) -> str:
    tag = _text(_node(value).get("name"))
    try:
        language_tag_validator(tag)
    except ValidationError:
        return UNDETERMINED_LANGUAGE
    return tag
