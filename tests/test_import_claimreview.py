"""Importing ClaimReview: every input shape, real publishers' pages, bad records, idempotency, the round trip."""

import io
import json
import os
import re
import urllib.parse
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from claims.intake.claimreview import importing, records
from claims.intake.claimreview.importing import claim_reviews_import
from claims.intake.claimreview.reading import find_claim_reviews
from claims.intake.seed import load_seed
from claims.models import Claim, CurrentFactCheck, Evidence, FactCheckEvent, Rating, Source, Speaker, Topic, Verdict
from claims.outputs.claimreview import claim_reviews, load_schema
from claims.outputs.formats import FORMATS
from claims.selection import chosen_verdicts
from claims.text import ascii_slug
from tests.factories import ClaimFactory, SourceFactory, SpeakerFactory, VerdictFactory, rating
from tests.planner import planner_row_count

pytestmark = pytest.mark.django_db

# Real publishers' pages, kept outside the project (they are not ours to commit): beside the checkout,
# or where CLAIMREVIEW_SAMPLES says (.ci/run finds them for a clone made elsewhere).
SAMPLES = Path(
    os.environ.get("CLAIMREVIEW_SAMPLES") or Path(settings.BASE_DIR).parent / "shared" / "data" / "claimreview"
)
SEED = Path(settings.BASE_DIR) / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the real ClaimReview samples are read from {SAMPLES}, which is absent"
)
SAMPLE_FILES = sorted(path.name for path in SAMPLES.glob("*") if path.suffix in (".html", ".json"))


def review(number: int = 1, **changes) -> dict:
    """A complete ClaimReview as Google documents it, its URL made unique by ``number``."""
    record = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checker.example/fact-checks/{number}",
        "claimReviewed": f"Crime rose by {number}0 percent last year",
        "headline": f"Crime did not rise by {number}0 percent",
        "datePublished": "2024-03-02T10:00:00Z",
        "inLanguage": "en",
        "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jane Doe", "jobTitle": "Mayor"},
            "datePublished": "2024-02-20",
            "appearance": {"@type": "CreativeWork", "url": "https://news.example/speech", "headline": "The speech"},
        },
    }
    record.update(changes)
    return record


def import_text(text: str, **options) -> importing.ImportSummary:
    return claim_reviews_import(find_claim_reviews(text), **options)


def import_json(document, **options) -> importing.ImportSummary:
    return import_text(json.dumps(document), **options)


def stored_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Claim, Verdict, Source, Speaker, Rating)}


class TestShapes:
    def test_it_imports_one_record_as_a_published_verdict_of_its_publisher(self):
        summary = import_json(review())
        assert (summary.created, summary.skipped) == (1, [])
        verdict = Verdict.objects.get()
        assert verdict.url == "https://checker.example/fact-checks/1"
        assert (verdict.status, verdict.publisher_name, verdict.publisher_url) == (
            Verdict.Status.PUBLISHED,
            "Checker",
            "https://checker.example/",
        )
        assert (verdict.author, verdict.approved_by, verdict.slug) == (None, None, "")
        assert verdict.rating == rating("false")
        assert verdict.published_at.isoformat() == "2024-03-02T10:00:00+00:00"
        claim = verdict.claim
        assert (claim.text, claim.status, claim.current_verdict) == (
            "Crime rose by 10 percent last year",
            Claim.Status.PUBLISHED,
            verdict,
        )
        assert str(claim.claim_date) == "2024-02-20"
        assert (claim.speaker.name, claim.speaker.kind, claim.speaker.role) == ("Jane Doe", "person", "Mayor")
        assert (claim.source.url, claim.source.title) == ("https://news.example/speech", "The speech")

    @pytest.mark.parametrize(
        "document",
        [
            pytest.param([review(1), review(2)], id="array"),
            pytest.param(
                {"@context": "https://schema.org", "@graph": [review(1), {"@type": "WebPage"}, review(2)]}, id="graph"
            ),
            pytest.param(
                {
                    "@context": "https://schema.org",
                    "@type": "DataFeed",
                    "dataFeedElement": [
                        {"@type": "DataFeedItem", "item": [review(1)]},
                        {"@type": "DataFeedItem", "item": review(2)},
                    ],
                },
                id="data-feed",
            ),
            pytest.param({"@type": "DataFeedItem", "item": [review(1), review(2)]}, id="data-feed-item"),
        ],
    )
    def test_it_finds_reviews_in_every_json_ld_shape(self, document):
        summary = import_json(document)
        assert (summary.created, summary.skipped) == (2, [])
        assert Verdict.objects.count() == 2

    def test_it_reads_an_http_context_and_a_list_of_types(self):
        summary = import_json(review(**{"@context": "http://schema.org", "@type": ["Review", "ClaimReview"]}))
        assert (summary.created, summary.skipped) == (1, [])

    def test_it_imports_a_fact_check_tools_response_with_several_reviews_of_one_claim(self):
        response = {
            "claims": [
                {
                    "text": "Vaccines contain microchips",
                    "claimant": "Social media posts",
                    "claimDate": "2021-01-05T00:00:00Z",
                    "claimReview": [
                        {
                            "publisher": {"name": "Checker A", "site": "a.example"},
                            "url": "https://a.example/microchips",
                            "title": "No microchips in vaccines",
                            "reviewDate": "2021-01-10T00:00:00Z",
                            "textualRating": "False",
                            "languageCode": "en",
                        },
                        {
                            "publisher": {"site": "b.example"},
                            "url": "https://b.example/chips",
                            "textualRating": "Pants on fire",
                            "reviewDate": "2021-01-12T00:00:00Z",
                            "languageCode": "en",
                        },
                    ],
                }
            ],
            "nextPageToken": "abc",
        }
        summary = import_json(response)
        assert (summary.created, summary.skipped) == (2, [])
        claim = Claim.objects.get()
        assert (claim.text, claim.speaker.name, str(claim.claim_date)) == (
            "Vaccines contain microchips",
            "Social media posts",
            "2021-01-05",
        )
        assert sorted(claim.verdicts.values_list("publisher_name", "publisher_url")) == [
            ("Checker A", "https://a.example"),
            ("b.example", "https://b.example"),
        ]
        assert claim.current_verdict.url == "https://b.example/chips"  # the later of the two

    def test_it_reads_reviews_embedded_in_a_page_with_unquoted_attributes(self):
        page = (
            '<!doctype html><html lang="pt-BR"><head><script type=application/ld+json class=graph>'
            + json.dumps({"@context": "https://schema.org", "@graph": [review(1, inLanguage=None)]})
            + '</script><script type="application/ld+json">{"@type": "WebSite"}</script></head><body></body></html>'
        )
        summary = import_text(page)
        assert (summary.created, summary.skipped) == (1, [])
        assert Verdict.objects.get().language == "pt-BR"

    def test_it_reports_a_page_without_json_ld(self):
        summary = import_text("<html><body>Nothing here</body></html>")
        assert summary.skipped == [("page", 'it embeds no <script type="application/ld+json">')]

    def test_it_reports_input_that_is_neither_json_nor_html(self):
        summary = import_text("claimReviewed: yes")
        assert summary.skipped[0][0] == "input"
        assert summary.skipped[0][1].startswith("not JSON or HTML")


class TestRealPublishers:
    """Pages and records as a dozen publishers really publish them (``../shared/data/claimreview/``)."""

    @needs_samples
    @pytest.mark.parametrize(
        ("name", "address", "rating_label", "speaker"),
        [
            ("afp.html", "factcheck.afp.com/cdc-does-not-add-flu", "False", "multiple sources"),
            ("afp_checamos.html", "checamos.afp.com/suposta-fala-de-soros", "Falso", "Várias fontes"),
            (
                "africa_check.html",
                "africacheck.org/fact-checks/reports/south-african-mayor",
                "Incorrect",
                "Mzwandile Masina",
            ),
            ("aos_fatos.html", "aosfatos.org/noticias/video-manipulado", "não_é_bem_assim", "desinformação"),
            (
                "data_commons_feed_item.json",
                "www.presseportal.de/pm/133833/4381130",
                "Reker hat diesen Satz nie gesagt.",
                "Irmin Suhl",
            ),
            ("efe_verifica.html", "verifica.efe.com/detenidos-mayoria", "Falso.", "Unknown speaker"),
            (
                "fact_check_cite.html",
                "factcheck.cite.org.zw/do-antibodies",
                "The Health Desk Experts said Current data",
                "Unknown speaker",
            ),
            (
                "google_fact_check_tools_claim.json",
                "www.vishvasnews.com/urdu/society/viral-video",
                "False",
                "FB User-Harshit Pandey",
            ),
            ("lupa.html", "piaui.folha.uol.com.br/lupa/2020/08/31/verificamos", "Falso", "Post no Facebook"),
            ("newtral_fact_check.html", "www.newtral.es/lista-espera-sanidad-gobierno", "Engañoso", "Sergio Sayas"),
            ("tfc_taiwan.html", "tfc-taiwan.org.tw/articles/7177", "錯誤", "Line, FB"),
            (
                "vishvas_news_english.html",
                "www.vishvasnews.com/english/viral/fact-check",
                "False",
                "Fb Page: नये भारत की बुलंद आवाज़",
            ),
        ],
    )
    def test_it_imports_each_publishers_fact_check_in_its_own_words(self, name, address, rating_label, speaker):
        """Each address and label is the start of the publisher's own, in full in the file."""
        summary = import_text((SAMPLES / name).read_text(encoding="utf-8"))
        assert (summary.created, summary.skipped) == (1, [])
        verdict = Verdict.objects.select_related("rating", "claim__speaker").get()
        assert verdict.url.startswith(f"https://{address}")
        assert verdict.rating.label.startswith(rating_label)
        assert verdict.claim.speaker.name == speaker
        assert verdict.claim.current_verdict_id == verdict.pk

    @needs_samples
    def test_it_imports_every_sample_and_a_second_time_changes_nothing(self):
        files = sorted(path for path in SAMPLES.iterdir() if path.suffix in (".html", ".json"))
        assert len(files) == 12
        first = [import_text(path.read_text(encoding="utf-8")) for path in files]
        assert sum(summary.created for summary in first) == 12
        counts = stored_counts()
        again = [import_text(path.read_text(encoding="utf-8")) for path in files]
        assert [(summary.created, summary.already_imported) for summary in again] == [(0, 1)] * 12
        assert stored_counts() == counts

    @needs_samples
    def test_it_keeps_the_publishers_wording_and_reads_its_dates(self):
        import_text((SAMPLES / "vishvas_news_english.html").read_text(encoding="utf-8"))
        import_text((SAMPLES / "africa_check.html").read_text(encoding="utf-8"))
        vishvas = Verdict.objects.get(publisher_name="Vishvas News")
        assert vishvas.claim.text == "Rishi Sunak praises Manmohan Singh's economy ideas"  # &#039; read as '
        assert vishvas.published_at.isoformat() == "2022-11-01T12:46:43+00:00"  # +05:30 kept as an instant
        assert vishvas.language == "en-US"  # from the page, as the record names none
        africa = Verdict.objects.get(publisher_name="Taryn Willows")
        assert "<br" not in africa.summary
        assert africa.summary.startswith("Mzwandile Masina, mayor of the City of Ekurhuleni, said")


class TestRatings:
    def test_it_reuses_a_label_of_the_scale_whatever_its_case(self):
        import_json(review(reviewRating={"@type": "Rating", "alternateName": "mostly FALSE"}))
        assert Verdict.objects.get().rating == rating("mostly-false")

    def test_it_makes_an_unknown_label_a_non_ordinal_rating_whatever_its_numbers(self):
        known = Rating.objects.count()
        summary = import_json(
            review(
                reviewRating={"@type": "Rating", "ratingValue": 1, "bestRating": 5, "alternateName": "Pants on Fire"}
            )
        )
        assert summary.new_ratings == ["Pants on Fire"]
        assert Rating.objects.count() == known + 1
        pants = Verdict.objects.get().rating
        assert (pants.label, pants.slug, pants.value) == ("Pants on Fire", "pants-on-fire", None)

    def test_it_gives_labels_without_latin_letters_distinct_slugs(self):
        import_json(
            [review(1, reviewRating={"alternateName": "錯誤"}), review(2, reviewRating={"alternateName": "部分錯誤"})]
        )
        slugs = set(Rating.objects.filter(value=None, label__in=["錯誤", "部分錯誤"]).values_list("slug", flat=True))
        assert len(slugs) == 2
        assert ascii_slug("Fb Page: नये भारत", max_length=200) != ascii_slug("Fb Page: पुराना", max_length=200)
        assert ascii_slug("Várias fontes", max_length=200) == "varias-fontes"


class TestMatching:
    def test_it_reuses_stored_speakers_sources_and_claims(self):
        speaker = SpeakerFactory(name="Jane Doe", slug="jane-doe")
        source = SourceFactory(url="https://news.example/speech", published_on=None)
        claim = ClaimFactory(text="Crime rose by 10 percent last year", speaker=speaker, source=source)
        import_json(review())
        verdict = Verdict.objects.get()
        assert verdict.claim == claim
        assert (Speaker.objects.count(), Source.objects.count()) == (1, 1)

    def test_it_leaves_what_a_published_claim_was_checked_for_as_it_is(self):
        source = SourceFactory(url="https://news.example/speech", published_on=None)
        ours = VerdictFactory(published=True, claim__text="Crime rose by 10 percent last year", claim__source=source)
        before = Claim.objects.get(pk=ours.claim_id)
        import_json(review(itemReviewed={**review()["itemReviewed"], "datePublished": "2024-01-05"}))
        after = Claim.objects.get(pk=ours.claim_id)
        assert after.verdicts.count() == 2
        assert (after.text, after.speaker_id, after.claim_date) == (before.text, before.speaker_id, before.claim_date)

    def test_it_adds_a_second_publishers_review_to_the_same_claim(self):
        import_json(
            [review(1), review(2, claimReviewed="Crime rose by 10 percent last year", datePublished="2024-05-01")]
        )
        claim = Claim.objects.get()
        assert claim.verdicts.count() == 2
        assert claim.current_verdict.url == "https://checker.example/fact-checks/2"

    def test_it_takes_the_review_page_as_the_source_when_no_appearance_is_named(self):
        import_json(review(itemReviewed={"@type": "Claim", "author": {"@type": "Organization", "name": "Ministry"}}))
        source = Claim.objects.get().source
        assert (source.url, source.title, source.publisher, str(source.published_on)) == (
            "https://checker.example/fact-checks/1",
            "Crime did not rise by 10 percent",
            "Checker",
            "2024-03-02",
        )

    def test_it_accepts_addresses_written_without_a_scheme(self):
        import_json(review(url="aosfatos.org/noticias/1/"))
        assert Verdict.objects.get().url == "https://aosfatos.org/noticias/1/"

    def test_it_repeats_nothing_when_the_same_review_appears_twice_in_the_input(self):
        summary = import_json([review(1), review(1)])
        assert summary.created == 1
        assert summary.skipped == [("[1]", "repeats the fact-check at [0]")]

    def test_it_records_the_import_in_the_history(self, editor):
        import_json(review(), user=editor)
        entry = Verdict.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
            "+",
            editor,
            "Imported from ClaimReview",
        )
        # The claim is recorded once, as added with its current verdict.
        claim_entry = Claim.history.get()
        assert (claim_entry.history_type, claim_entry.current_verdict_id) == ("+", entry.id)

    def test_it_records_a_stored_claims_new_current_verdict_in_its_history(self):
        import_json(review(1))
        import_json(review(2, claimReviewed="Crime rose by 10 percent last year", datePublished="2024-05-01"))
        claim = Claim.objects.get()
        assert claim.current_verdict.url == "https://checker.example/fact-checks/2"
        assert list(claim.history.values_list("history_type", "current_verdict_id")) == [
            ("~", claim.current_verdict_id),
            ("+", Verdict.objects.get(url="https://checker.example/fact-checks/1").pk),
        ]


class TestRelativeUrls:
    """Pages give relative URLs and their own address only in ``<link rel="canonical">`` or ``og:url``."""

    @staticmethod
    def page(*records: dict, head: str = "") -> str:
        scripts = "".join(f'<script type="application/ld+json">{json.dumps(record)}</script>' for record in records)
        return f"<!doctype html><html><head>{head}{scripts}</head><body></body></html>"

    CANONICAL = '<link rel="canonical" href="https://checker.example/fact-checks/1">'

    @staticmethod
    def stored_urls() -> dict[str, str]:
        verdict = Verdict.objects.select_related("claim__speaker", "claim__source", "claim__first_appearance").get()
        first = verdict.claim.first_appearance
        return {
            "url": verdict.url,
            "publisher_url": verdict.publisher_url,
            "rating_url": verdict.rating_url,
            "same_as": verdict.claim.speaker.same_as,
            "source": verdict.claim.source.url,
            "first_appearance": first.url if first else "",
        }

    @pytest.mark.parametrize(
        ("path", "written", "stored", "expected"),
        [
            (["url"], "/fact-checks/1?x=1", "url", "https://checker.example/fact-checks/1?x=1"),
            (["author", "url"], "/", "publisher_url", "https://checker.example/"),
            (["reviewRating", "url"], "../ratings#false", "rating_url", "https://checker.example/ratings#false"),
            (["itemReviewed", "author", "sameAs"], "/people/jane", "same_as", "https://checker.example/people/jane"),
            (["itemReviewed", "appearance", "url"], "//news.example/speech", "source", "https://news.example/speech"),
            (
                ["itemReviewed", "firstAppearance"],
                {"@type": "CreativeWork", "url": "archive/speech.pdf", "name": "Speech"},
                "first_appearance",
                "https://checker.example/fact-checks/archive/speech.pdf",
            ),
            (
                ["itemReviewed"],
                {"@type": "CreativeWork", "url": "/posts/9", "headline": "A post"},
                "source",
                "https://checker.example/posts/9",
            ),
        ],
    )
    def test_every_url_a_record_stores_is_resolved_against_the_pages_canonical_link(
        self, path, written, stored, expected
    ):
        record = review()
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = written
        summary = import_text(self.page(record, head=self.CANONICAL))
        assert (summary.created, summary.skipped) == (1, [])
        assert self.stored_urls()[stored] == expected

    def test_it_takes_the_og_url_when_the_page_has_no_canonical_link(self):
        head = '<meta property="og:url" content="https://checker.example/fact-checks/1">'
        import_text(self.page(review(url="/fact-checks/1"), head=head))
        assert Verdict.objects.get().url == "https://checker.example/fact-checks/1"

    def test_the_canonical_link_comes_before_the_og_url_and_the_address_read_from(self):
        head = '<meta property="og:url" content="https://mirror.example/1"><link rel="canonical" href="/checks/1">'
        summary = claim_reviews_import(
            find_claim_reviews(self.page(review(url="?amp=0"), head=head), base_url="https://checker.example/any")
        )
        assert summary.created == 1
        # The relative canonical link is itself resolved against the address the page was read from.
        assert Verdict.objects.get().url == "https://checker.example/checks/1?amp=0"

    def test_a_protocol_relative_url_takes_the_pages_scheme_or_else_https(self):
        head = '<link rel="canonical" href="http://checker.example/1">'
        import_text(self.page(review(1, url="//checker.example/1"), head=head))
        import_json(review(2, url="//checker.example/2"))
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            "http://checker.example/1",
            "https://checker.example/2",
        ]

    def test_the_address_read_from_resolves_a_json_document(self):
        document = json.dumps([review(1, url="/fact-checks/1"), review(2, url="fact-checks/2")])
        summary = claim_reviews_import(find_claim_reviews(document, base_url="https://checker.example/feed/"))
        assert (summary.created, summary.skipped) == (2, [])
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            "https://checker.example/fact-checks/1",
            "https://checker.example/feed/fact-checks/2",
        ]

    def test_it_resolves_a_fact_check_tools_response(self):
        response = {"text": "Vaccines contain microchips", "claimReview": [{"url": "/chips", "textualRating": "False"}]}
        response["claimReview"][0]["publisher"] = {"site": "a.example"}
        summary = claim_reviews_import(find_claim_reviews(json.dumps(response), base_url="https://a.example/"))
        assert (summary.created, summary.skipped) == (1, [])
        assert Claim.objects.get().source.url == Verdict.objects.get().url == "https://a.example/chips"

    def test_a_url_that_cannot_be_made_absolute_skips_its_record_saying_why(self):
        relative_rating = {"alternateName": "False", "url": "/r"}
        summary = import_json([review(1), review(2, url="/fact-checks/2"), review(3, reviewRating=relative_rating)])
        assert summary.created == 1
        reason = "the page's own address is unknown: it has no canonical link or og:url, and no base URL was given"
        assert summary.skipped == [
            ("[1]", f"url is a relative address ('/fact-checks/2') and {reason}"),
            ("[2]", f"reviewRating.url is a relative address ('/r') and {reason}"),
        ]

    def test_a_page_address_that_is_no_web_address_is_passed_over(self):
        head = '<link rel="canonical" href="javascript:void(0)"><meta property="og:url" content="/relative-too">'
        summary = import_text(self.page(review(url="/fact-checks/1"), head=head))
        assert summary.skipped[0][1].startswith("url is a relative address")

    @needs_samples
    @pytest.mark.parametrize("name", [name for name in SAMPLE_FILES if name.endswith(".html")])
    def test_a_real_page_with_relative_urls_imports_as_it_does_with_absolute_ones(self, name):
        """The page's JSON-LD rewritten as many sites write it: their own host's URLs relative, other hosts'
        protocol-relative. Its canonical link or og:url restores every one."""
        text = (SAMPLES / name).read_text(encoding="utf-8")
        assert (import_text(text).created, Verdict.objects.count()) == (1, 1)
        absolute = self.stored_urls()
        empty_the_database()
        rewritten = relativized(text)
        assert rewritten != text
        summary = import_text(rewritten)
        assert (summary.created, summary.skipped) == (1, [])
        assert self.stored_urls() == absolute


def relativized(page: str) -> str:
    """``page`` with the URLs in its JSON-LD relative to its canonical host, or protocol-relative for other hosts."""
    found = next(found for found in find_claim_reviews(page) if found.review)
    host = urllib.parse.urlsplit(records._page_address(found)).netloc

    def rewrite(script: re.Match) -> str:
        text = script.group(0)
        for slash in ("/", "\\/"):  # JSON may escape its slashes
            text = text.replace(f"https:{slash}{slash}{host}{slash}", slash)
            text = text.replace(f"https:{slash}{slash}", f"{slash}{slash}")
        return text

    return re.sub(r"<script[^>]*ld\+json[^>]*>.*?</script>", rewrite, page, flags=re.DOTALL | re.IGNORECASE)


class TestBadRecords:
    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"url": None}, "url is missing: a fact-check is known by its address"),
            ({"url": "javascript:alert(1)"}, "url is not an http(s) address: 'javascript:alert(1)'"),
            ({"claimReviewed": "  "}, "claimReviewed is missing or empty"),
            ({"reviewRating": {"@type": "Rating", "ratingValue": 1}}, "reviewRating.alternateName is missing or empty"),
            ({"author": None}, "author.name (the fact-checker) is missing or empty"),
            ({"datePublished": "last Tuesday"}, "datePublished is not an ISO 8601 date: 'last Tuesday'"),
            ({"headline": "x" * 301}, "verdict headline: Ensure this value has at most 300 characters (it has 301)."),
            (
                {
                    "itemReviewed": {
                        "datePublished": "2024-03-01",
                        "appearance": {"headline": "Old", "datePublished": "2024-01-01"},
                    }
                },
                (
                    "itemReviewed.datePublished 2024-03-01 is after 2024-01-01, "
                    "the date of the page where the claim appeared"
                ),
            ),
        ],
    )
    def test_it_skips_a_bad_record_with_its_position_and_reason_and_keeps_the_others(self, change, reason):
        bad = review(2) | change
        summary = import_json({"@graph": [review(1), bad, review(3)]})
        assert summary.skipped == [("@graph[1]", reason)]
        assert summary.created == 2
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            "https://checker.example/fact-checks/1",
            "https://checker.example/fact-checks/3",
        ]

    def test_it_writes_nothing_of_a_bad_record(self):
        before = stored_counts()
        bad = review(
            1,
            reviewRating={"alternateName": "A brand new label"},
            itemReviewed={
                "author": {"name": "A new speaker"},
                "appearance": {"url": "https://new.example/", "headline": "x" * 501},
            },
        )
        summary = import_json(bad)
        assert summary.skipped == [
            ("record", "source title: Ensure this value has at most 500 characters (it has 501).")
        ]
        assert stored_counts() == before

    def test_it_stores_again_one_by_one_a_batch_the_database_refuses(self, monkeypatch):
        write = importing._Batch.write

        def refuse_one(batch):
            if any(record.url.endswith("/2") for record in batch.records):
                raise IntegrityError("duplicate key value violates unique constraint")
            write(batch)

        monkeypatch.setattr(importing._Batch, "write", refuse_one)
        summary = import_json([review(1), review(2), review(3)])
        assert summary.created == 2
        assert summary.skipped == [("[1]", "the database refused it: duplicate key value violates unique constraint")]
        assert Claim.objects.count() == Verdict.objects.count() == 2
        assert Speaker.objects.count() == Source.objects.count() == 1


class TestRaces:
    """Imports run at once, on one connection (tests/test_concurrent_writers.py runs them at once on PostgreSQL)."""

    def test_a_batch_that_loses_a_race_is_stored_again_and_finds_what_the_winner_stored(self, monkeypatch):
        """As when a concurrent import stores the same source, speaker and claim between this batch's reading
        and its writing: the database refuses the copies, and the batch, stored again, finds the records."""
        import_json(review(1))
        read = importing._Known.__init__
        reads = []

        def before_the_winner_stored(known, stored):
            read(known, {} if len(reads) < 2 else stored)  # the first try's speakers and sources
            reads.append(known)

        monkeypatch.setattr(importing._Known, "__init__", before_the_winner_stored)
        summary = import_json(review(2, claimReviewed=review(1)["claimReviewed"]))
        assert len(reads) == 4  # two tries
        assert (summary.created, summary.new_claims, summary.recorded_claims, summary.skipped) == (1, 0, 1, [])
        assert (Claim.objects.count(), Source.objects.count(), Speaker.objects.count()) == (1, 1, 1)
        assert Claim.objects.get().current_verdict.url == "https://checker.example/fact-checks/2"


class TestBulk:
    def test_it_writes_in_bulk_not_record_by_record(self, django_assert_max_num_queries):
        import_json([review(number) for number in range(1, 11)])  # the speaker, source and rating now exist
        # Per batch: known URLs, a savepoint, ratings, speakers, sources, claims; inserts of claims, verdicts and
        # their history rows; the current verdicts and their history; the report's summary of them. That is 18 on
        # PostgreSQL; SQLite splits long inserts by its limit on parameters into about 32. Record by record, it
        # would be over 1,000.
        with django_assert_max_num_queries(42):
            summary = import_json([review(number) for number in range(11, 211)])
        assert summary.created == 200

    def test_it_leaves_the_planner_informed_of_the_rows_it_wrote(self):
        import_json([review(number) for number in range(1, 31)], batch_size=7)
        written = (Source, Speaker, Claim, Verdict)  # and their history; the rating scale was there
        for model in (Rating, *written, *(model.history.model for model in written)):
            assert planner_row_count(model) == model.objects.count() > 0, model.__name__

    def test_it_stores_each_batch_in_its_own_transaction(self):
        summary = import_json([review(number) for number in range(1, 8)], batch_size=3)
        assert summary.created == 7
        assert Claim.objects.filter(current_verdict__isnull=False).count() == 7


def test_round_trip_export_import_export_is_identical(publish, editor):
    """Export ClaimReview, import it into an empty database, export again: the two exports are identical."""
    load_seed(SEED)
    for claim in Claim.objects.order_by("pk")[:9]:
        publish(claim)
    exported = b"".join(FORMATS["claimreview"].stream(chosen_verdicts(user=editor, params={})))
    assert len(json.loads(exported)) == 9

    empty_the_database()
    summary = import_text(exported.decode())
    assert (summary.created, summary.skipped) == (9, [])

    again = b"".join(FORMATS["claimreview"].stream(chosen_verdicts(user=editor, params={})))
    assert again == exported


def empty_the_database() -> None:
    """As a new database is: the published record refuses to be deleted, so the rows go by SQL."""
    Claim.objects.update(current_verdict=None)
    tables = [
        CurrentFactCheck,
        FactCheckEvent,
        Verdict.evidence.through,
        Verdict.contributors.through,
        Evidence,
        Claim.topics.through,
    ]
    tables += [Verdict, Claim, Source, Speaker, Topic]
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    assert not Rating.objects.filter(verdicts__isnull=False).exists()


def test_imported_records_validate_against_the_export_schema():
    import_json([review(1), review(2, datePublished=None, headline=None, inLanguage="Portuguese (Brazil)")])
    records = list(claim_reviews(Verdict.objects.order_by("pk")))
    validator = jsonschema.Draft202012Validator(load_schema())
    for record in records:
        validator.validate(record)
    assert "datePublished" not in records[1]
    assert records[1]["inLanguage"] == "und"
    assert records[0]["author"] == {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"}


class TestWhereImportedFactChecksShow:
    def test_the_public_index_lists_only_the_newsrooms_own(self, client):
        own = VerdictFactory(published=True, headline="Our own fact-check")
        import_json(review())
        html = client.get("/factchecks/").content.decode()
        assert own.headline in html
        assert "Crime did not rise" not in html

    def test_the_report_links_them_to_their_publishers_page(self, client):
        import_json(review(headline=None))
        html = client.get("/reports/verdicts/").content.decode()
        assert (
            '<a href="https://checker.example/fact-checks/1">Crime rose by 10 percent last year</a> (Checker)' in html
        )


class TestCommand:
    def test_it_imports_files_and_prints_a_summary(self, tmp_path, capsys):
        (tmp_path / "one.json").write_text(json.dumps(review(1)))
        (tmp_path / "two.json").write_text(json.dumps([review(2), review(3, reviewRating={"alternateName": "Falso"})]))
        call_command("import_claimreview", str(tmp_path / "one.json"), str(tmp_path / "two.json"))
        out = capsys.readouterr()
        assert out.out.splitlines() == [
            "New non-ordinal rating: Falso",
            "3 fact-checks read: 3 imported, 0 already imported, 0 skipped.",
            "Claims they review: 3 new, 0 already recorded.",
        ]
        assert out.err == ""  # no progress when not on a terminal
        call_command("import_claimreview", str(tmp_path / "one.json"))
        assert capsys.readouterr().out.splitlines() == [
            "1 fact-check read: 0 imported, 1 already imported, 0 skipped.",
            "Claims they review: 0 new, 0 already recorded.",
        ]
        # Another publisher's review of a claim recorded before: a new fact-check of a claim already there.
        (tmp_path / "three.json").write_text(json.dumps(review(4, claimReviewed=review(1)["claimReviewed"])))
        call_command("import_claimreview", str(tmp_path / "three.json"))
        assert capsys.readouterr().out.splitlines()[-1] == "Claims they review: 0 new, 1 already recorded."

    def test_it_shows_progress_on_a_terminal_on_one_line(self, tmp_path, terminal):
        (tmp_path / "three.json").write_text(json.dumps([review(1), review(2), review(3)]))
        call_command("import_claimreview", str(tmp_path / "three.json"), "--batch-size", "2", stderr=terminal)
        assert terminal.getvalue() == "\rrecords read 2\rrecords read 3\n"

    def test_it_ends_the_progress_line_when_it_fails_midway(self, tmp_path, terminal, monkeypatch):
        store = importing._store_batch

        def fail_after_the_first_batch(records, user, summary, checkpoint):
            if summary.read:
                raise RuntimeError("the disk is full")
            store(records, user, summary, checkpoint)

        monkeypatch.setattr(importing, "_store_batch", fail_after_the_first_batch)
        (tmp_path / "three.json").write_text(json.dumps([review(1), review(2), review(3)]))
        with pytest.raises(RuntimeError, match="disk is full"):
            call_command("import_claimreview", str(tmp_path / "three.json"), "--batch-size", "2", stderr=terminal)
        assert terminal.getvalue() == "\rrecords read 2\n"

    def test_it_resolves_relative_urls_against_the_base_url_it_is_given(self, tmp_path, capsys):
        """A page saved without its canonical link or og:url, and a feed: --base-url says where they came from."""
        saved = TestRelativeUrls.page(review(1, url="/fact-checks/1"))
        (tmp_path / "saved.html").write_text(saved)
        (tmp_path / "feed.json").write_text(json.dumps([review(2, url="fact-checks/2")]))
        with pytest.raises(CommandError, match="1 of 1 records were skipped"):
            call_command("import_claimreview", str(tmp_path / "saved.html"))
        assert "url is a relative address ('/fact-checks/1')" in capsys.readouterr().err
        paths = [str(tmp_path / "saved.html"), str(tmp_path / "feed.json")]
        call_command("import_claimreview", *paths, "--base-url", "https://checker.example/")
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            "https://checker.example/fact-checks/1",
            "https://checker.example/fact-checks/2",
        ]

    @pytest.mark.parametrize("base_url", ["/relative/", "checker.example", "ftp://checker.example/"])
    def test_it_refuses_a_base_url_that_is_not_an_absolute_web_address(self, tmp_path, base_url):
        (tmp_path / "one.json").write_text(json.dumps(review(1)))
        with pytest.raises(CommandError, match=r"^--base-url must be an absolute http\(s\) address"):
            call_command("import_claimreview", str(tmp_path / "one.json"), "--base-url", base_url)
        assert Verdict.objects.count() == 0

    def test_it_reads_standard_input(self, monkeypatch, capsys):
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(review())))
        call_command("import_claimreview", "-")
        assert Verdict.objects.filter(url="https://checker.example/fact-checks/1").exists()

    def test_it_reports_skipped_records_with_their_file_and_position_and_fails(self, tmp_path, capsys):
        (tmp_path / "a.json").write_text(json.dumps(review(1)))
        (tmp_path / "b.json").write_text(json.dumps([review(2), review(3, url=None)]))
        with pytest.raises(CommandError, match=r"^1 of 3 records were skipped \(see above\)\.$"):
            call_command("import_claimreview", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
        err = capsys.readouterr().err
        assert f"Skipped {tmp_path / 'b.json'}: [1]: url is missing: a fact-check is known by its address" in err
        assert Verdict.objects.count() == 2

    def test_it_refuses_what_it_cannot_read_and_writes_nothing(self, tmp_path):
        (tmp_path / "latin1.json").write_bytes('{"claimReviewed": "Caf\xe9"}'.encode("latin-1"))
        (tmp_path / "empty.json").write_text("{}")
        with pytest.raises(CommandError, match=r"^Cannot read .*missing\.json: No such file or directory\.$"):
            call_command("import_claimreview", str(tmp_path / "missing.json"))
        with pytest.raises(CommandError, match=r"it is not UTF-8 text"):
            call_command("import_claimreview", str(tmp_path / "latin1.json"))
        with pytest.raises(CommandError, match=r"^No ClaimReview was found in the input\.$"):
            call_command("import_claimreview", str(tmp_path / "empty.json"))
        with pytest.raises(CommandError, match=r"^There is no user 'nobody'\.$"):
            call_command("import_claimreview", str(tmp_path / "empty.json"), "--user", "nobody")
        assert Verdict.objects.count() == 0
