"""Finding ClaimReview objects in what other fact-checkers publish.

The shapes understood: one ClaimReview object, an array of them, a JSON-LD ``@graph``, a
``DataFeed`` (``dataFeedElement``) or ``DataFeedItem`` (``item``), the responses of Google's Fact
Check Tools ``claims:search`` API (a ``claims`` array, or one of its elements), and HTML pages that
embed any of these in ``<script type="application/ld+json">``. Each ClaimReview found comes with
its position in the input, so that a problem can be reported where it is, and with what a page says
its own address is (``<link rel="canonical">``, ``og:url``), against which its relative URLs resolve.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser

# Where schema.org containers keep their members.
_CONTAINERS = ("@graph", "dataFeedElement", "item", "mainEntity")


@dataclass(frozen=True)
class Found:
    """A ClaimReview as found (``review``), or why what was found at ``position`` cannot be read (``problem``)."""

    position: str
    review: dict | None = None
    problem: str = ""
    # Google's claims:search puts the claim beside its reviews; this is that claim, else None.
    google_claim: dict | None = None
    # The language of the page the review was embedded in (``<html lang>``), if any.
    page_language: str = ""
    # The page's own address as it gives it, best first: its canonical link, then its og:url.
    page_urls: tuple[str, ...] = ()
    # The address the input was read from, if the caller knows it (``import_claimreview --base-url``).
    base_url: str = ""


def find_claim_reviews(text: str, *, base_url: str = "") -> Iterator[Found]:
    """Every ClaimReview in ``text``, a JSON document or an HTML page, in document order; ``base_url`` is
    the address ``text`` was read from, if known."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        found = _from_html(stripped)
    else:
        try:
            found = _walk(json.loads(stripped), "")
        except json.JSONDecodeError as error:
            found = iter([Found(position="input", problem=f"not JSON or HTML: {error}")])
    for each in found:
        yield replace(each, base_url=base_url) if base_url else each


def _from_html(html: str) -> Iterator[Found]:
    scripts = _JsonLdScripts()
    scripts.feed(html)
    scripts.close()
    if not scripts.blocks:
        yield Found(position="page", problem='it embeds no <script type="application/ld+json">')
        return
    for number, block in enumerate(scripts.blocks, start=1):
        try:
            # Pages often carry raw line breaks inside strings; schema.org readers accept them.
            document = json.loads(block, strict=False)
        except json.JSONDecodeError as error:
            yield Found(position=f"script {number}", problem=f"not valid JSON: {error}")
            continue
        for found in _walk(document, f"script {number} "):
            yield replace(found, page_language=scripts.language, page_urls=scripts.page_urls)


class _JsonLdScripts(HTMLParser):
    """Collects the text of every ``<script type="application/ld+json">`` element, the page's language and
    the addresses it gives itself."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self.language = ""
        self.canonical = ""
        self.og_url = ""
        self._current: list[str] | None = None

    @property
    def page_urls(self) -> tuple[str, ...]:
        return tuple(url for url in (self.canonical, self.og_url) if url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang") or ""
        elif tag == "link" and "canonical" in (attrs.get("rel") or "").lower().split():
            self.canonical = self.canonical or (attrs.get("href") or "").strip()
        elif tag == "meta" and (attrs.get("property") or attrs.get("name") or "").strip().lower() == "og:url":
            self.og_url = self.og_url or (attrs.get("content") or "").strip()
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()
        if tag == "script" and kind == "application/ld+json":
            self._current = []

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._current is not None:
            self.blocks.append("".join(self._current))
            self._current = None


def _walk(node, position: str) -> Iterator[Found]:
    if isinstance(node, list):
        for index, member in enumerate(node):
            yield from _walk(member, f"{position}[{index}]")
        return
    if not isinstance(node, dict):
        return
    if is_claim_review(node):
        yield Found(position=position.strip() or "record", review=node)
        return
    if isinstance(node.get("claimReview"), list):
        yield from _google_claim(node, position)
        return
    if isinstance(node.get("claims"), list):
        yield from _walk(node["claims"], f"{position}claims")
        return
    for key in _CONTAINERS:
        if key in node:
            yield from _walk(node[key], f"{position}{key}")


def _google_claim(claim: dict, position: str) -> Iterator[Found]:
    """Each review of one ``claims[]`` element of the Fact Check Tools API, with the claim it reviews."""
    for index, review in enumerate(claim["claimReview"]):
        where = f"{position}claimReview[{index}]"
        if isinstance(review, dict):
            yield Found(position=where, review=review, google_claim=claim)
        else:
            yield Found(position=where, problem="a review must be an object")


def is_claim_review(node: dict) -> bool:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(kind, str) and kind.rsplit("/", 1)[-1] == "ClaimReview" for kind in kinds)
