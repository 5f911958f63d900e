"""Reading a news article from its page: its text and what a source records about it.

``read_article(html, url=...)`` is pure and offline, and needs neither the models nor a database (import-linter
forbids them): trafilatura finds the article's text among the page's menus, links and comments, and the page's
own statements about itself (JSON-LD, ``<meta>`` tags, microdata, ``<time>`` elements) give its metadata, read
in a fixed order of trust. The rules are general; none names a site.

- **Text**: trafilatura without comments, favouring precision; when that keeps fewer than
  ``MIN_ARTICLE_WORDS`` words it is asked again, balanced between precision and recall.
- **Title**: the visible headline (``itemprop="headline"``, else the page's ``<h1>``: the only one, or among
  several the one most like the metadata title), else the metadata title (``og:title``, JSON-LD ``headline``,
  ``<title>``) without a trailing " - Site name".
- **Publication date**: the first plausible one of JSON-LD ``datePublished``/``dateCreated`` of the article,
  ``<meta>`` publication tags (``article:published_time`` and others), ``<time>`` elements, then the date
  trafilatura's htmldate reads from the page's markup (a byline's date; not any year in the text). A
  timestamp in UTC is the server's clock, not the publisher's calendar: when the page shows a date within a
  day of it (a ``<time>`` element with a local or date-only value, or a written date), the shown one is the
  publication day.
- **Publisher**: JSON-LD ``publisher`` of the article, else microdata ``itemprop="publisher"``, else
  ``og:site_name``, else trafilatura's site name, else the host name without ``www.``; ``publisher_basis`` says which.
- **Language**: ``<html lang>``, else ``Content-Language``, else ``og:locale``, else JSON-LD ``inLanguage``, else
  ``und`` (undetermined).
- **Address**: ``<link rel="canonical">``, else ``og:url``, when it is an absolute http(s) URL; else the URL given.
"""

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

# Fewer words than this is not an article: a front page, a paywall's teaser, an error page.
MIN_ARTICLE_WORDS = 50
# Dates before this are placeholders ("0001-01-01") or mistakes, not a news article's publication.
EARLIEST_PUBLICATION = datetime.date(1995, 1, 1)
UNDETERMINED_LANGUAGE = "und"
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORDS = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# The most a source records of each; longer values are cut at a word.
MAX_TITLE, MAX_PUBLISHER, MAX_AUTHOR = 500, 200, 200

# <meta> tags that state the publication time, most trusted first (attribute value, compared ignoring case).
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dcterms.created",
    "dc.date.issued",
    "dc.date.created",
    "dc.date",
    "date",
)
TRAILING_COMMA = re.compile(r",\s*([\]}])")
# Hyphens, bars, dashes, colons and bullets between a headline and the site's name ("Headline - Site").
TITLE_SEPARATORS = re.compile(r"\s+[-|\u2013\u2014:\u00b7\u2022]+\s+")


@dataclass(frozen=True)
class Article:
    """What a page says about the article it holds; empty strings where it says nothing."""

    text: str
    title: str
    author: str
    publisher: str
    publisher_basis: str
    published_on: datetime.date | None
    date_basis: str
    url: str
    language: str

    @property
    def words(self) -> int:
        return word_count(self.text)

    @property
    def is_article(self) -> bool:
        return self.words >= MIN_ARTICLE_WORDS


class NotAPage(ValueError):
    """The input is not an HTML page (empty, or not markup at all)."""


def read_article(html: bytes | str, *, url: str = "", today: datetime.date | None = None) -> Article:
    """The article in ``html``, a page served from ``url`` (if known). Raises ``NotAPage`` for what is not HTML.

    ``today`` bounds the publication date (a later one is a mistake); it defaults to the current date.
    """
    tree = load_html(html) if html else None
    if tree is None:
        raise NotAPage("not an HTML page")
    today = today or datetime.date.today()
    page = _Page(tree, url)
    # htmldate reads dates from the markup only: its extensive search takes any year in the text ("by 2025")
    # for a publication date.
    dates = {"original_date": True, "extensive_search": False, "max_date": today.isoformat()}
    document = _extract(tree, url, dates, favor_precision=True)
    if document is None or word_count(_text_of(document)) < MIN_ARTICLE_WORDS:
        document = _extract(tree, url, dates, favor_precision=False) or document
    metadata = document or trafilatura.extract_metadata(tree, default_url=url or None, date_config=dates)
    publisher, publisher_basis = page.publisher(metadata.sitename)
    published_on, date_basis = page.published_on(metadata.date, today)
    return Article(
        text=_text_of(document) if document is not None else "",
        title=_shorten(page.title(metadata.title or "", publisher), MAX_TITLE),
        author=_shorten(page.author(metadata.author or ""), MAX_AUTHOR),
        publisher=_shorten(publisher, MAX_PUBLISHER),
        publisher_basis=publisher_basis,
        published_on=published_on,
        date_basis=date_basis,
        url=page.address(),
        language=page.language(),
    )


def word_count(text: str) -> int:
    """Words, counting each character of the scripts written without spaces (Chinese, Japanese) as one."""
    return len(WORDS.findall(text))


def _extract(tree: HtmlElement, url: str, dates: dict, *, favor_precision: bool):
    return trafilatura.bare_extraction(
        tree,
        url=url or None,
        date_extraction_params=dates,
        with_metadata=True,
        include_comments=False,
        favor_precision=favor_precision,
        favor_recall=not favor_precision,
    )


def _text_of(document) -> str:
    """The article's paragraphs, one a line, as ``claims.intake.extraction`` reads them."""
    lines = (" ".join(line.split()) for line in (document.text or "").splitlines())
    return "\n".join(line for line in lines if line)


def _clean(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def _shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Page:
    """The page's statements about itself, read once from the parsed tree."""

    def __init__(self, tree: HtmlElement, url: str):
        self.tree = tree
        self.url = url
        self.meta = _meta_tags(tree)
        self.nodes = list(_json_ld_nodes(tree))
        self.by_id = {node["@id"]: node for node in self.nodes if isinstance(node.get("@id"), str)}
        self.article = next((node for node in self.nodes if _is_article(node)), None)

    # Where the article is

    def address(self) -> str:
        for found in (
            *self.tree.xpath("//link[translate(@rel, 'CANONICAL', 'canonical')='canonical']/@href"),
            self.meta.get("og:url", ""),
        ):
            candidate = urljoin(self.url, found.strip()) if self.url else found.strip()
            parts = urlsplit(candidate)
            if parts.scheme in ("http", "https") and parts.hostname:
                return candidate
        return self.url

    # Who published it, and who wrote it

    def publisher(self, site_name: str | None) -> tuple[str, str]:
        if self.article is not None:
            name = self._name_of(self.article.get("publisher"))
            if name:
                return name, "JSON-LD publisher"
        for element in self.tree.xpath("//*[@itemprop='publisher']"):
            name = _microdata_name(element)
            if name:
                return name, "microdata publisher"
        if self.meta.get("og:site_name"):
            return self.meta["og:site_name"], "og:site_name"
        host = (urlsplit(self.address()).hostname or "").removeprefix("www.")
        # trafilatura names a site by its application name or title, else by its host, as below.
        if site_name and _clean(site_name) and _clean(site_name).lower() not in (host, f"www.{host}"):
            return _clean(site_name), "the site's name (trafilatura)"
        return (host, "the host name") if host else ("", "")

    def author(self, found: str) -> str:
        if self.article is not None:
            authors = self.article.get("author")
            names = [self._name_of(author) for author in (authors if isinstance(authors, list) else [authors])]
            names = [name for name in names if name]
            if names:
                return ", ".join(dict.fromkeys(names))
        return ", ".join(_clean(name) for name in found.split(";") if _clean(name))

    def _name_of(self, thing) -> str:
        if isinstance(thing, list):
            thing = thing[0] if thing else None
        if isinstance(thing, dict) and "name" not in thing and isinstance(thing.get("@id"), str):
            thing = self.by_id.get(thing["@id"], thing)
        if isinstance(thing, dict):
            return _clean(thing.get("name"))
        return _clean(thing) if isinstance(thing, str) and not thing.startswith("http") else ""

    # What it is called

    def title(self, metadata_title: str, publisher: str) -> str:
        metadata_title = _clean(metadata_title)
        marked = [_clean(e.text_content()) for e in self.tree.xpath("//*[@itemprop='headline'][not(self::meta)]")]
        if marked and marked[0]:
            return marked[0]
        names = {_folded(publisher), _folded(self.meta.get("og:site_name", ""))} - {""}
        headings = [_clean(e.text_content()) for e in self.tree.xpath("//h1")]
        headings = [heading for heading in headings if heading and _folded(heading) not in names]
        if len(headings) == 1:
            return headings[0]
        if headings and metadata_title:
            best = max(headings, key=lambda heading: _likeness(heading, metadata_title))
            if _likeness(best, metadata_title) >= 0.5:
                return best
        return _without_site_name(metadata_title, names | {_folded(urlsplit(self.address()).hostname or "")})

    # When it was published

    def published_on(self, text_date: str | None, today: datetime.date) -> tuple[datetime.date | None, str]:
        for value, basis in self._stated_dates(text_date):
            stamp = _parse_time(value)
            if stamp is None or not EARLIEST_PUBLICATION <= _day(stamp) <= today + datetime.timedelta(days=1):
                continue
            if not _in_utc(stamp):
                return _day(stamp), basis
            shown = self._shown_date()
            if shown and abs(shown - stamp.date()) <= datetime.timedelta(days=1) and shown != stamp.date():
                return shown, f"{basis} {value} is in UTC; the page shows {shown.isoformat()}"
            return stamp.date(), basis
        return None, ""

    def _stated_dates(self, text_date: str | None) -> Iterator[tuple[str, str]]:
        if self.article is not None:
            for key in ("datePublished", "dateCreated"):
                if isinstance(self.article.get(key), str):
                    yield self.article[key], f"JSON-LD {key}"
        for name in PUBLISHED_META:
            if name in self.meta:
                yield self.meta[name], f"<meta> {name}"
        for node in self.nodes:
            web_page = node is not self.article and _types(node) & {"WebPage", "ItemPage"}
            if web_page and isinstance(node.get("datePublished"), str):
                yield node["datePublished"], "JSON-LD datePublished of the web page"
        for element in self._time_elements():
            value = element.get("datetime") or element.text_content()
            yield _clean(value), "a <time> element"
        if text_date:
            yield text_date, "the page's markup (htmldate)"

    def _time_elements(self) -> list[HtmlElement]:
        marked = self.tree.xpath("//time[@pubdate or @itemprop='datePublished']")
        return marked + [element for element in self.tree.xpath("//time") if element not in marked]

    def _shown_date(self) -> datetime.date | None:
        """The first publication day the page shows in the publisher's own time, if it shows one."""
        for element in self._time_elements():
            for value in (element.get("datetime"), element.text_content()):
                stamp = _parse_time(_clean(value or ""))
                if stamp is not None and not _in_utc(stamp):
                    return _day(stamp)
        return None

    # In which language

    def language(self) -> str:
        stated = (
            self.tree.get("lang"),
            self.tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
            self.meta.get("content-language"),
            self.meta.get("og:locale"),
            self.article.get("inLanguage") if self.article is not None else None,
        )
        for value in stated:
            tag = _clean(value or "").split(",")[0].strip().replace("_", "-")
            if LANGUAGE_TAG.match(tag):
                return _canonical_tag(tag)
        return UNDETERMINED_LANGUAGE


def _canonical_tag(tag: str) -> str:
    """A language tag in its usual case: "en-us" is "en-US", "zh-hant-tw" is "zh-Hant-TW"."""
    primary, *rest = tag.split("-")
    subtags = [part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part.lower() for part in rest]
    return "-".join([primary.lower(), *subtags])


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """``<meta>`` contents by property, name, itemprop or http-equiv (lower case); the first of each wins."""
    found: dict[str, str] = {}
    for element in tree.xpath("//meta[@content]"):
        content = _clean(element.get("content"))
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key and content:
                found.setdefault(key, content)
    return found


def _microdata_name(element: HtmlElement) -> str:
    """An organisation's name in microdata: its ``name``, else the title or alternative text of its logo or link."""
    for named in element.xpath(".//*[@itemprop='name']"):
        name = _clean(named.get("content") or named.text_content())
        if name:
            return name
    for titled in element.xpath("descendant-or-self::*[@title] | .//img[@alt]"):
        name = _clean(titled.get("title") or titled.get("alt"))
        if name:
            return name
    return ""


def _json_ld_nodes(tree: HtmlElement) -> Iterator[dict]:
    """Every object of the page's JSON-LD, in document order, with ``@graph`` and lists unfolded."""
    for script in tree.xpath("//script[@type]"):
        if script.get("type", "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        text = script.text_content()
        try:
            # Pages often carry raw line breaks inside strings; schema.org readers accept them.
            document = json.loads(text, strict=False)
        except json.JSONDecodeError:
            # ... and commas before a closing bracket, which browsers' JSON refuses but people write.
            try:
                document = json.loads(TRAILING_COMMA.sub(r"\1", text), strict=False)
            except json.JSONDecodeError:
                continue
        yield from _unfold(document)


def _unfold(node) -> Iterator[dict]:
    if isinstance(node, list):
        for item in node:
            yield from _unfold(item)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _unfold(node["@graph"])


def _types(node: dict) -> set[str]:
    types = node.get("@type")
    return {str(kind) for kind in (types if isinstance(types, list) else [types]) if kind}


def _is_article(node: dict) -> bool:
    return any(kind.endswith(("Article", "BlogPosting", "Report")) for kind in _types(node))


# Titles


def _folded(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _likeness(heading: str, title: str) -> float:
    """The share of the heading's words that the title has too."""
    words = re.findall(r"\w+", heading.casefold())
    known = set(re.findall(r"\w+", title.casefold()))
    return sum(word in known for word in words) / len(words) if words else 0.0


def _without_site_name(title: str, names: set[str]) -> str:
    """``title`` without a trailing " - Site name" (or a leading "Site name | ") when that part names the site."""
    separators = list(TITLE_SEPARATORS.finditer(title))
    if not separators:
        return title
    last, first = separators[-1], separators[0]
    if _names_site(title[last.end() :], names):
        return title[: last.start()]
    if _names_site(title[: first.start()], names):
        return title[first.end() :]
    return title


def _names_site(part: str, names: set[str]) -> bool:
    """Whether a short part of a title is the site's name ("SpaceNews.com" for "SpaceNews")."""
    if not part.strip() or len(part.split()) > 5:
        return False
    part = _folded(part)
    return any(part == name or part in name or name in part for name in names if len(name) > 2)


# Dates

ISO_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?"
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
WRITTEN_DATES = (
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE), (3, 1, 2)),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})", re.IGNORECASE), (3, 2, 1)),
)


def _parse_time(value: str) -> datetime.datetime | datetime.date | None:
    """A date or time as pages write it: ISO 8601, RFC 2822, or an English date ("November 18th, 2019").

    A time keeps its offset when it has one; one without is local (naive).
    """
    value = value.strip()
    match = ISO_TIME.match(value)
    try:
        if match:
            year, month, day, hour, minute, second, zone = match.groups()
            if hour is None:
                return datetime.date(int(year), int(month), int(day))
            return datetime.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=_zone(zone)
            )
        if re.match(r"^[A-Za-z]{3},\s", value):
            return parsedate_to_datetime(value)
        for pattern, (year, month, day) in WRITTEN_DATES:
            written = pattern.search(value)
            if written:
                groups = written.groups()
                return datetime.date(int(groups[year - 1]), MONTHS[groups[month - 1].lower()], int(groups[day - 1]))
    except (ValueError, TypeError, OverflowError):
        return None
    return None


def _zone(zone: str | None) -> datetime.tzinfo | None:
    if zone is None:
        return None
    if zone in ("Z", "UTC", "GMT"):
        return datetime.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _in_utc(stamp: datetime.datetime | datetime.date) -> bool:
    return isinstance(stamp, datetime.datetime) and stamp.utcoffset() == datetime.timedelta(0)


def _day(stamp: datetime.datetime | datetime.date) -> datetime.date:
    return stamp.date() if isinstance(stamp, datetime.datetime) else stamp
