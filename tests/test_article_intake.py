"""Article intake (``claims.intake.article_intake``) and its command, ``intake_article``: from an address or a saved
page to a stored source, once, and refusals that store nothing. Pages come from a real server on 127.0.0.1."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from claims.intake.article_intake import NoPublicationDate, NotAnArticle, intake_article
from claims.intake.pages import ForbiddenAddress, HttpStatusError, UnsupportedUrl
from claims.models import Source
from tests.factories import SourceFactory
from tests.page_server import article_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_url(page_server, local_pages):
    return page_server.serve("/2024/03/recycling", article_page())


class TestIntake:
    def test_it_reads_the_article_into_an_unsaved_source(self, article_url):
        intake = intake_article(article_url)
        source = intake.source
        assert (source.pk, intake.created, intake.recorded) == (None, False, False)
        assert source.url == article_url
        assert source.title == "Council doubles the city's recycling budget"
        assert (source.publisher, source.author) == ("The Example Gazette", "Jane Reporter")
        assert (source.published_on, source.language, source.kind) == (datetime.date(2024, 3, 5), "en", "news_article")
        assert "Mayor Ana Flores said" in source.text
        assert not Source.objects.exists()
        candidates = intake.candidates()
        assert candidates
        assert any(candidate.speaker == "Tom Price" for candidate in candidates)

    def test_it_stores_the_source_once(self, article_url, page_server, editor):
        intake = intake_article(article_url, user=editor, save=True)
        assert intake.created
        stored = Source.objects.get()
        assert stored == intake.source
        record = stored.history.get()
        assert record.history_user == editor
        assert record.history_change_reason == f"Added from {article_url} by article intake"

        again = intake_article(article_url, save=True)
        assert (again.source, again.created, again.recorded, again.article) == (stored, False, True, None)
        assert [asked.path for asked in page_server.requests] == ["/2024/03/recycling"]  # not fetched again
        assert Source.objects.count() == 1

    def test_a_page_whose_canonical_or_final_address_is_recorded_answers_with_that_source(
        self, page_server, local_pages
    ):
        recorded = SourceFactory(url="https://gazette.example/recycling")
        url = page_server.serve("/amp/recycling", article_page(canonical="https://gazette.example/recycling"))
        intake = intake_article(url, save=True)
        assert (intake.source, intake.recorded) == (recorded, True)
        final = SourceFactory(url=page_server.serve("/final", article_page()))
        moved = page_server.redirect("/moved", "/final")
        assert intake_article(moved + "#comments", save=True).source == final
        assert Source.objects.count() == 2

    def test_it_stores_the_canonical_address(self, page_server, local_pages):
        url = page_server.serve("/amp/story", article_page(canonical="https://gazette.example/story"))
        assert intake_article(url, save=True).source.url == "https://gazette.example/story"

    def test_a_page_too_short_to_be_an_article_is_refused(self, page_server, local_pages):
        url = page_server.serve("/front", article_page(paragraphs=0))
        with pytest.raises(NotAnArticle, match=r"holds \d+ words of article text, fewer than the 50") as refused:
            intake_article(url, save=True)
        assert refused.value.field == "url"
        assert not Source.objects.exists()

    def test_a_page_without_a_date_needs_one(self, page_server, local_pages):
        url = page_server.serve("/undated", article_page(published=None))
        with pytest.raises(NoPublicationDate, match="states no publication date") as refused:
            intake_article(url, save=True)
        assert refused.value.field == "published_on"
        assert not Source.objects.exists()
        given = intake_article(url, published_on=datetime.date(2024, 3, 4), save=True)
        assert given.source.published_on == datetime.date(2024, 3, 4)

    def test_a_date_given_wins_over_the_pages(self, article_url):
        assert intake_article(article_url, published_on=datetime.date(2024, 3, 1)).source.published_on == (
            datetime.date(2024, 3, 1)
        )

    def test_a_saved_page_is_read_without_fetching(self, page_server):
        html = article_page(canonical="https://gazette.example/recycling").encode()
        intake = intake_article(html=html, save=True)
        assert intake.source.url == "https://gazette.example/recycling"
        assert page_server.requests == []
        no_address = article_page(title="A story nobody linked")
        first = intake_article(html=no_address, save=True)
        assert (first.created, first.source.url) == (True, "")
        assert intake_article(html=no_address, save=True).source == first.source  # title and publisher match

    def test_what_is_not_a_page_is_refused_naming_the_saved_page(self):
        with pytest.raises(NotAnArticle, match="The saved page is not an HTML page") as refused:
            intake_article(html=b"")
        assert refused.value.field == "html"

    def test_fetch_failures_store_nothing(self, page_server, local_pages):
        with pytest.raises(HttpStatusError):
            intake_article(page_server.url("/missing"), save=True)
        with pytest.raises(UnsupportedUrl):
            intake_article("ftp://gazette.example/story", save=True)
        assert not Source.objects.exists()

    def test_the_local_server_is_refused_unless_the_setting_allows_it(self, page_server, settings):
        assert settings.INTAKE_ALLOW_PRIVATE_ADDRESSES is False
        url = page_server.serve("/a", article_page())
        with pytest.raises(ForbiddenAddress, match="a loopback address"):
            intake_article(url, save=True)
        assert page_server.requests == []


def run(*args, stdin: bytes | None = None) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        if stdin is not None:
            patch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        call_command("intake_article", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class TestCommand:
    def test_it_prints_what_it_found_and_the_ranked_candidates_without_saving(self, article_url):
        out = run(article_url)
        assert "Title:     Council doubles the city's recycling budget" in out
        assert "Publisher: The Example Gazette (from JSON-LD publisher)" in out
        assert "Published: 2024-03-05 (from JSON-LD datePublished)" in out
        assert f"Address:   {article_url}" in out
        assert "#  score  speaker" in out
        assert "Tom Price" in out
        assert out.rstrip().endswith("Nothing was saved; run again with --save to store the source.")
        assert not Source.objects.exists()

    def test_save_stores_the_source_once_and_says_so(self, article_url, editor):
        out = run(article_url, "--save", "--user", editor.username)
        source = Source.objects.get()
        assert f"Saved as source {source.pk}: {source}." in out
        assert source.history.get().history_user == editor
        again = run(article_url, "--save")
        assert f"Already recorded as source {source.pk}" in again
        assert Source.objects.count() == 1

    def test_it_reads_a_saved_page_from_a_file_or_stdin(self, tmp_path):
        saved = tmp_path / "story.html"
        saved.write_text(article_page(published=None), encoding="utf-8")
        url = "https://gazette.example/story"
        out = run(str(saved), "--url", url, "--published-on", "2024-03-04", "--save")
        assert "Published: 2024-03-04 (as given)" in out
        assert Source.objects.get().url == url
        out = run("-", "--published-on", "2024-03-04", stdin=article_page(title="Another story").encode())
        assert "Title:     Another story" in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["ftp://gazette.example/story"], "uses the ftp: scheme; only http:// and https:// pages are fetched"),
            (["http://10.0.0.1/story"], "is at 10.0.0.1, a private address"),
            (["/no/such/page.html"], "Cannot read /no/such/page.html: No such file or directory."),
            (["https://gazette.example/story", "--url", "https://x.example/"], "give either an address or a file"),
            (["https://gazette.example/story", "--published-on", "5 March"], "--published-on: '5 March' is not a date"),
            (["https://gazette.example/story", "--user", "nobody"], "--user: there is no user 'nobody'."),
        ],
    )
    def test_bad_arguments_are_refused_in_one_line(self, args, message):
        with pytest.raises(CommandError) as refused:
            run(*args)
        assert message in str(refused.value)
        assert "\n" not in str(refused.value)

    def test_a_page_without_a_date_asks_for_published_on(self, page_server, local_pages):
        url = page_server.serve("/undated", article_page(published=None))
        with pytest.raises(CommandError, match=r"states no publication date: .* \(--published-on\) Nothing was saved"):
            run(url, "--save")
        assert not Source.objects.exists()

    def test_an_empty_file_is_refused(self, tmp_path):
        empty = tmp_path / "empty.html"
        empty.write_bytes(b"")
        with pytest.raises(CommandError, match=r"empty\.html is empty"):
            run(str(empty))
