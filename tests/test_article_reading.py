"""Reading an article from its page (``claims.intake.articles``): text, title, date, publisher, language, address.

Pages are built here, small, each showing one rule; the real pages of the shared benchmark check the whole
on the twelve articles whose date, title and publisher were annotated by hand (skipped where they are absent).
"""

import datetime
import gzip
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from claims.intake.articles import MIN_ARTICLE_WORDS, NotAPage, read_article, word_count
from tests.page_server import article_page

# Real news pages, kept outside the project (they are not ours to commit): beside the checkout, or where
# ARTICLE_PAGES and ANNOTATED_ARTICLES say (.ci/run finds them for a clone made elsewhere).
SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"
PAGES = Path(os.environ.get("ARTICLE_PAGES") or SHARED / "article-pages")
ANNOTATED = Path(os.environ.get("ANNOTATED_ARTICLES") or SHARED / "articles")
needs_annotated_pages = pytest.mark.skipif(
    not (PAGES / "html").is_dir() or not ANNOTATED.is_dir(),
    reason=f"the annotated news pages are read from {PAGES} and {ANNOTATED}, which are absent",
)

TODAY = datetime.date(2025, 1, 1)
BODY = "\n".join(
    f"<p>Paragraph {n}: the regional parliament approved the new budget of 3.5 billion euros on Monday, "
    f"the finance minister said, after a debate that lasted eleven hours.</p>"
    for n in range(5)
)


def page(head: str = "", body: str = "", *, lang: str = "en", text: str = BODY) -> str:
    """A page with ``head`` in its head, then ``body`` and the article's paragraphs in its body."""
    html_lang = f' lang="{lang}"' if lang else ""
    return (
        f"<!DOCTYPE html><html{html_lang}><head><meta charset='utf-8'><title>Budget approved</title>{head}</head>"
        f"<body><article>{body}{text}</article></body></html>"
    )


def json_ld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


def read(html: str, url: str = "https://news.example/budget") -> object:
    return read_article(html, url=url, today=TODAY)


class TestTextAndMetadata:
    def test_it_reads_a_news_page(self):
        article = read(article_page(), url="https://gazette.example/recycling")
        assert article.title == "Council doubles the city's recycling budget"
        assert (article.publisher, article.publisher_basis) == ("The Example Gazette", "JSON-LD publisher")
        assert article.author == "Jane Reporter"
        assert (article.published_on, article.date_basis) == (datetime.date(2024, 3, 5), "JSON-LD datePublished")
        assert (article.url, article.language) == ("https://gazette.example/recycling", "en")
        assert article.is_article
        assert article.words > MIN_ARTICLE_WORDS
        # The article's paragraphs, one a line; not the menu, the byline's neighbours or the footer.
        assert "Mayor Ana Flores said" in article.text
        assert "Politics" not in article.text
        assert "All rights reserved" not in article.text
        assert all(line.strip() == line and line for line in article.text.splitlines())

    def test_a_page_with_little_text_is_not_an_article(self):
        article = read(page(text="<p>Subscribe to read this story.</p>"))
        assert not article.is_article
        assert article.words == 5

    def test_words_of_unspaced_scripts_are_counted_by_character(self):
        assert word_count("東京都は月曜日に新しい予算を承認した") == 18
        assert word_count("Tokyo approved a budget of 3.5 billion") == 8

    def test_what_is_not_html_is_refused(self):
        with pytest.raises(NotAPage):
            read_article(b"")


class TestPublicationDate:
    def test_json_ld_comes_before_meta_tags_and_time_elements(self):
        html = page(
            json_ld(datePublished="2024-03-05T10:00:00+01:00")
            + '<meta property="article:published_time" content="2024-03-01T10:00:00+01:00">',
            '<time datetime="2024-02-20">20 February 2024</time>',
        )
        assert read(html).published_on == datetime.date(2024, 3, 5)

    def test_a_utc_time_gives_way_to_the_day_the_page_shows(self):
        """Published at 23:50 in Washington is 04:50 the next day in UTC; the page shows the local day."""
        html = page(
            '<meta property="article:published_time" content="2019-11-19T04:50:22+00:00">',
            '<time datetime="2019-11-18">November 18, 2019</time>',
        )
        article = read(html)
        assert article.published_on == datetime.date(2019, 11, 18)
        assert article.date_basis == (
            "<meta> article:published_time 2019-11-19T04:50:22+00:00 is in UTC; the page shows 2019-11-18"
        )

    def test_a_shown_local_time_counts_as_the_shown_day(self):
        html = page(
            json_ld(datePublished="2019-11-20T02:59:46Z"), '<time datetime="2019-11-19 20:59:46">8:59 pm</time>'
        )
        assert read(html).published_on == datetime.date(2019, 11, 19)

    def test_a_utc_time_stands_when_the_page_shows_no_day_near_it(self):
        assert read(page(json_ld(datePublished="2019-11-20T02:59:46Z"))).published_on == datetime.date(2019, 11, 20)
        far = page(json_ld(datePublished="2019-11-20T02:59:46Z"), '<time datetime="2019-10-01">1 October</time>')
        assert read(far).published_on == datetime.date(2019, 11, 20)

    def test_a_time_with_its_offset_is_the_publishers_own_day(self):
        html = page(json_ld(datePublished="2024-03-05T23:30:00-05:00"), '<time datetime="2024-03-04">4 March</time>')
        assert read(html).published_on == datetime.date(2024, 3, 5)

    def test_placeholders_and_future_dates_are_passed_over(self):
        html = page(
            json_ld(datePublished="0001-01-01T00:00:00Z", dateCreated="2031-01-01")
            + '<meta name="parsely-pub-date" content="2024-06-01T08:00:00+02:00">'
        )
        article = read(html)
        assert (article.published_on, article.date_basis) == (datetime.date(2024, 6, 1), "<meta> parsely-pub-date")

    def test_a_time_element_or_the_written_date_serves_when_nothing_else_says(self):
        timed = read(
            page(body='<p class="byline">By A. Writer, <time datetime="2024-02-29T09:00:00Z">today</time></p>')
        )
        assert (timed.published_on, timed.date_basis) == (datetime.date(2024, 2, 29), "a <time> element")
        written = read(page(body='<p class="date">Published Monday, November 18th, 2019 at 11:04 a.m.</p>'))
        assert written.published_on == datetime.date(2019, 11, 18)

    def test_a_page_that_states_no_date_has_none(self):
        article = read(page())
        assert (article.published_on, article.date_basis) == (None, "")


class TestPublisherTitleLanguageAddress:
    def test_the_publisher_comes_from_json_ld_then_microdata_then_the_site_name_then_the_host(self):
        graph = (
            '<script type="application/ld+json">{"@graph": ['
            '{"@type": "Organization", "@id": "https://ex.example/#org", "name": "Example Times"},'
            '{"@type": "NewsArticle", "publisher": {"@id": "https://ex.example/#org"},}]}</script>'
        )  # a reference to another node, and a trailing comma as people write them
        site = '<meta property="og:site_name" content="EXAMPLE">'
        microdata = '<span itemprop="publisher" itemscope><a href="/" title="Example Wire">logo</a></span>'
        assert read(page(graph + site)).publisher == "Example Times"
        assert read(page(site, microdata)).publisher_basis == "microdata publisher"
        assert read(page(site, microdata)).publisher == "Example Wire"
        assert (read(page(site)).publisher, read(page(site)).publisher_basis) == ("EXAMPLE", "og:site_name")
        bare = read(page(), url="https://www.localnews.example/a/1")
        assert (bare.publisher, bare.publisher_basis) == ("localnews.example", "the host name")

    def test_the_title_is_the_visible_headline(self):
        og = '<meta property="og:title" content="Budget passes - Example Times">'
        assert read(page(og, "<h1>Parliament approves a 3.5 billion euro budget</h1>")).title == (
            "Parliament approves a 3.5 billion euro budget"
        )
        several = "<h1>Example Times</h1><h1>Budget passes after long debate</h1><h1>Most read</h1>"
        site = '<meta property="og:site_name" content="Example Times">'
        og_long = '<meta property="og:title" content="Budget passes after an eleven-hour debate">'
        assert read(page(site + og_long, several)).title == "Budget passes after long debate"

    def test_without_a_headline_the_metadata_title_loses_the_site_name(self):
        head = (
            '<meta property="og:site_name" content="Example Times">'
            '<meta property="og:title" content="Budget passes | Example Times">'
        )
        assert read(page(head)).title == "Budget passes"

    @pytest.mark.parametrize(
        ("lang", "head", "language"),
        [
            ("pt-br", "", "pt-BR"),
            ("EN", "", "en"),
            ("", '<meta property="og:locale" content="en_GB">', "en-GB"),
            ("", '<meta http-equiv="Content-Language" content="de">', "de"),
            ("", json_ld(inLanguage="es"), "es"),
            ("", "", "und"),
            ("not a language", "", "und"),
        ],
    )
    def test_the_language_is_the_pages_own(self, lang, head, language):
        assert read(page(head, lang=lang)).language == language

    def test_the_address_is_the_canonical_one_when_it_is_http(self):
        canonical = '<link rel="canonical" href="/2024/budget">'
        assert read(page(canonical), url="https://news.example/budget?utm=x").url == "https://news.example/2024/budget"
        other = '<link rel="canonical" href="javascript:void(0)">'
        assert read(page(other), url="https://news.example/budget").url == "https://news.example/budget"
        assert read(page('<meta property="og:url" content="https://news.example/b">'), url="").url == (
            "https://news.example/b"
        )


@needs_annotated_pages
def test_the_annotated_pages_give_their_dates_and_titles():
    """Twelve real pages whose date, title and publisher were read by a person (README beside them)."""
    wrong = []
    for path in sorted(ANNOTATED.glob("*.meta.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        article = read_article(
            gzip.decompress((PAGES / "html" / f"{meta['id']}.html.gz").read_bytes()), url=meta["url"]
        )
        if article.published_on != datetime.date.fromisoformat(meta["published_on"]):
            wrong.append((path.name, article.published_on, article.date_basis))
        if " ".join(article.title.split()) != " ".join(meta["title"].split()):
            wrong.append((path.name, article.title))
        assert article.is_article
        assert article.publisher
    assert wrong == []
