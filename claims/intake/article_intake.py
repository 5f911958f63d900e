"""From an article's address or its saved page to a stored ``Source``: the one place for intake's rules.

``intake_article`` is what ``manage.py intake_article``, the admin's "Add an article from its address" and
``POST /api/v1/sources/intake/`` call; they only collect its input and present its answer or its refusal.

1. A URL that is already recorded (``Source.url``, without its ``#fragment``) answers with that source;
   nothing is fetched. (Addresses are compared as they are written; ``?utm_source=`` makes another one.)
2. Otherwise the page is fetched (``pages.fetch_page``, under the policy of the ``INTAKE_*`` settings), or
   the saved page given is read, and ``articles.read_article`` finds its text and metadata.
3. If its canonical address, or the address it was finally served from, is recorded, that source is the
   answer; a saved page with no address at all is matched on its title and publisher (``Source.key_for``).
4. Refused, with nothing stored: a page with fewer than ``MIN_ARTICLE_WORDS`` words of text or no title
   (``NotAnArticle``: a front page, a paywall, an error page), and one that states no publication date
   unless the caller gives it (``NoPublicationDate``). A date the caller gives wins over the page's.
5. With ``save`` the source is stored (its history names the user and the address); without, it is returned
   unsaved, to be shown. Claims are not stored here: the candidates (``Intake.candidates``) are proposed
   to an editor, who keeps the ones worth checking (``proposals.extracted_claims_save``).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urldefrag

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from claims.intake.articles import MIN_ARTICLE_WORDS, Article, NotAPage, read_article
from claims.intake.extraction import Candidate, extract
from claims.intake.pages import FetchPolicy, Page, check_url, fetch_page
from claims.models import Source


class ArticleRefused(Exception):
    """A page that was read but is not an article that can be stored; ``field`` names the input at fault."""

    code = "not_an_article"

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


class NotAnArticle(ArticleRefused):
    code = "not_an_article"


class NoPublicationDate(ArticleRefused):
    code = "no_publication_date"


@dataclass
class Intake:
    """The answer: the source (stored, already recorded, or unsaved) and the article read from the page, if one was."""

    source: Source
    created: bool = False
    article: Article | None = None

    @property
    def recorded(self) -> bool:
        """Whether the source was recorded before this intake."""
        return self.source.pk is not None and not self.created

    def saved(self, user: AbstractBaseUser | None) -> "Intake":
        """This intake with its source stored, its history naming ``user`` and the address; as it is if the
        source was recorded already. Inside the caller's transaction, the source commits with what it commits."""
        if self.source.pk is not None:
            return self
        return _saved(self.source, self.article, user)

    def candidates(self) -> list[Candidate]:
        """The statements worth checking in the source's text, best first (``claims.intake.extraction``)."""
        if not self.source.text.strip():
            return []
        return extract(self.source.text, published_on=self.source.published_on, publisher=self.source.publisher)


def fetch_policy() -> FetchPolicy:
    """What fetching may reach and read, from the ``INTAKE_*`` settings."""
    total = settings.INTAKE_FETCH_TIMEOUT
    return FetchPolicy.allowing(
        settings.INTAKE_ALLOW_PRIVATE_ADDRESSES,
        connect_timeout=min(5, total),
        read_timeout=min(10, total),
        total_timeout=total,
        max_bytes=settings.INTAKE_MAX_PAGE_BYTES,
    )


def intake_article(
    url: str = "",
    *,
    html: bytes | str | None = None,
    published_on: datetime.date | None = None,
    user: AbstractBaseUser | None = None,
    save: bool = False,
    policy: FetchPolicy | None = None,
) -> Intake:
    """The source for the article at ``url`` (fetched), or in ``html`` (a saved page, served from ``url`` if given).

    Raises ``pages.FetchError`` when the page cannot be fetched and ``ArticleRefused`` when it is not an
    article that can be stored; nothing is stored then.
    """
    url = urldefrag(url.strip()).url
    if url:
        check_url(url)
    elif html is None:
        raise NotAnArticle("Give the article's address or its saved page.", field="url")
    if url and html is None:
        recorded = _recorded(url)
        if recorded:
            return Intake(source=recorded)
    page = fetch_page(url, policy or fetch_policy()) if html is None else Page(url=url, content=html, charset=None)
    field = "url" if html is None else "html"
    try:
        article = read_article(_decoded(page), url=page.url)
    except NotAPage as error:
        raise NotAnArticle(f"{_named(page)} is not an HTML page.", field=field) from error
    address = _valid_url(article.url) or page.url
    if address:
        recorded = _recorded(address, page.url)
    else:  # a saved page that names no address: matched as every intake path matches sources (Source.key_for)
        recorded = Source.objects.recorded(url="", title=article.title, publisher=article.publisher)
    if recorded:
        return Intake(source=recorded, article=article)
    source = _source(article, address, published_on, field=field, page=page)
    intake = Intake(source=source, article=article)
    return intake.saved(user) if save else intake


def address_recorded(url: str) -> Source | None:
    """The source recorded at ``url`` (without its ``#fragment``), which intake answers with at once, fetching
    nothing; None if there is none. An address that intake does not fetch, as far as it can tell without looking its
    host up, raises ``pages.UrlRefused``."""
    url = urldefrag(url.strip()).url
    check_url(url, fetch_policy())
    return _recorded(url)


def _recorded(*urls: str) -> Source | None:
    urls = [url for url in dict.fromkeys(urls) if url]
    return Source.objects.filter(url__in=urls).order_by("pk").first() if urls else None


def _decoded(page: Page) -> bytes | str:
    """The page as text when its server named a charset that reads it, else its bytes for trafilatura to decode."""
    if isinstance(page.content, str) or not page.charset:
        return page.content
    try:
        return page.content.decode(page.charset)
    except (LookupError, UnicodeDecodeError):
        return page.content


def _valid_url(url: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return urldefrag(url).url if len(url) <= Source._meta.get_field("url").max_length else ""


def _named(page: Page) -> str:
    return f"The page at {page.url}" if page.url else "The saved page"


def _source(article: Article, address: str, published_on: datetime.date | None, *, field: str, page: Page) -> Source:
    if not article.is_article:
        raise NotAnArticle(
            f"{_named(page)} holds {article.words} words of article text, fewer than the {MIN_ARTICLE_WORDS} of an "
            "article: is it a front page, a paywall or an error page?",
            field=field,
        )
    if not article.title:
        raise NotAnArticle(f"{_named(page)} gives the article no title.", field=field)
    date = published_on or article.published_on
    if date is None:
        raise NoPublicationDate(
            f"{_named(page)} states no publication date: give the date it was published to add it.",
            field="published_on",
        )
    source = Source(
        url=address,
        title=article.title,
        publisher=article.publisher,
        author=article.author,
        published_on=date,
        kind=Source.Kind.NEWS_ARTICLE,
        language=article.language,
        text=article.text,
    )
    source.full_clean()
    return source


def _saved(source: Source, article: Article, user: AbstractBaseUser | None) -> Intake:
    source._history_user = user if user is not None and user.is_authenticated else None
    source._change_reason = f"Added from {source.url or 'a saved page'} by article intake"
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # Someone added the same address since it was looked up: theirs is the answer.
        recorded = _recorded(source.url)
        if recorded is None:
            raise
        return Intake(source=recorded, article=article)
    return Intake(source=source, created=True, article=article)
