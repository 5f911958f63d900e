"""Exports of verdicts as CSV, JSON and ClaimReview: content, filters, visibility, spreadsheet safety, streaming.

The suite runs on PostgreSQL, where the CSV streams from COPY, and on SQLite, where Python's csv
module writes it: the same assertions hold for both paths.
"""

import csv
import datetime
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import timezone

from claims import workflow
from claims.intake.seed import load_seed
from claims.models import Claim, Speaker, Verdict
from claims.outputs import formats
from claims.outputs.claimreview import load_schema
from claims.outputs.columns import TABLE_COLUMNS
from claims.selection import SelectionError, chosen_verdicts
from tests.api import client_for
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    SpeakerFactory,
    TopicFactory,
    UserFactory,
    VerdictFactory,
    rating,
)

SEED = Path(settings.BASE_DIR) / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.yaml"
EXPORTS = {name: f"/api/v1/exports/{export.filename}" for name, export in formats.FORMATS.items()}
VALIDATOR = jsonschema.Draft202012Validator(load_schema())


def download(path: str, user=None, **params) -> bytes:
    response = client_for(user).get(path, params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def iso_instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def seed_factcheck(publish):
    """The seed article with one of its claims fact-checked and published, with two pieces of evidence."""
    load_seed(SEED)
    claim = Claim.objects.get(text__startswith="Once again, the Venezuelan people are besieged")
    verdict = publish(claim)
    first = EvidenceFactory(claim=claim, url="https://www.reuters.com/article/venezuela-russia")
    second = EvidenceFactory(claim=claim, url="https://www.state.gov/briefing")
    EvidenceFactory(claim=claim, url="", title="A phone call with an official")
    return {"verdict": verdict, "claim": claim, "evidence": [first, second]}


@pytest.mark.django_db
class TestContent:
    def test_the_csv_holds_the_seed_fact_check_with_every_column(self, seed_factcheck):
        verdict, claim = seed_factcheck["verdict"], seed_factcheck["claim"]
        body = download(EXPORTS["csv"])
        assert body.decode().splitlines()[0] == ",".join(TABLE_COLUMNS)
        (row,) = csv_rows(body)
        source = claim.source
        assert row == {
            "verdict_id": str(verdict.pk),
            "claim_id": str(claim.pk),
            "claim_text": claim.text,
            "speaker": "Mike Pompeo",
            "speaker_role": "U.S. Secretary of State",
            "source_title": source.title,
            "source_publisher": "Newsweek",
            "source_url": source.url,
            "claim_date": claim.claim_date.isoformat(),
            "rating": "Mostly false",
            "rating_value": "2",
            "headline": verdict.headline,
            "summary": verdict.summary,
            "status": "published",
            "published_at": iso_instant(verdict.published_at),
            "factcheck_url": f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/",
            "evidence_urls": "https://www.reuters.com/article/venezuela-russia https://www.state.gov/briefing",
            "change_kind": "",
            "change_note": "",
        }

    def test_the_json_holds_the_same_values_typed(self, seed_factcheck):
        (csv_row,) = csv_rows(download(EXPORTS["csv"]))
        (record,) = json.loads(download(EXPORTS["json"]))
        assert list(record) == list(TABLE_COLUMNS)
        assert record["verdict_id"] == seed_factcheck["verdict"].pk
        assert record["rating_value"] == 2
        assert record["evidence_urls"] == [e.url for e in seed_factcheck["evidence"]]
        assert {
            k: v for k, v in record.items() if k not in ("verdict_id", "claim_id", "rating_value", "evidence_urls")
        } == {k: v for k, v in csv_row.items() if k not in ("verdict_id", "claim_id", "rating_value", "evidence_urls")}

    def test_the_claimreview_follows_the_mapping(self, seed_factcheck):
        verdict, claim = seed_factcheck["verdict"], seed_factcheck["claim"]
        (record,) = json.loads(download(EXPORTS["claimreview"]))
        VALIDATOR.validate(record)
        source, first = claim.source, claim.first_appearance
        assert record == {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/",
            "claimReviewed": claim.text,
            "headline": verdict.headline,
            "datePublished": iso_instant(verdict.published_at),
            "inLanguage": "en",
            "author": {"@type": "Organization", "name": settings.NEWSROOM_NAME, "url": settings.NEWSROOM_URL},
            "reviewRating": {
                "@type": "Rating",
                "alternateName": "Mostly false",
                "ratingValue": 2,
                "bestRating": 5,
                "worstRating": 1,
                "url": f"{settings.PUBLIC_URL}/methodology/#rating-mostly-false",
            },
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": "Mike Pompeo", "jobTitle": "U.S. Secretary of State"},
                "datePublished": claim.claim_date.isoformat(),
                "appearance": {
                    "@type": "CreativeWork",
                    "url": source.url,
                    "headline": source.title,
                    "datePublished": source.published_on.isoformat(),
                    "publisher": {"@type": "Organization", "name": "Newsweek"},
                },
                "firstAppearance": {  # the seed gives the press release no URL: none is sent
                    "@type": "CreativeWork",
                    "headline": first.title,
                    "datePublished": first.published_on.isoformat(),
                    "publisher": {"@type": "Organization", "name": first.publisher},
                },
            },
        }

    def test_a_canonical_url_is_the_fact_check_url(self, publish):
        verdict = publish(ClaimFactory(), url="https://news.example/fc/1")
        (row,) = csv_rows(download(EXPORTS["csv"]))
        (record,) = json.loads(download(EXPORTS["claimreview"]))
        assert row["factcheck_url"] == record["url"] == verdict.url

    def test_text_is_utf8_throughout(self, publish):
        publish(ClaimFactory(text="Le chômage a baissé de 5 % à São Paulo — « jamais vu »"))
        for name in ("csv", "json", "claimreview"):
            assert "Le chômage a baissé de 5 % à São Paulo — « jamais vu »" in download(EXPORTS[name]).decode("utf-8")

    def test_an_empty_selection_is_a_header_or_an_empty_array(self, db):
        assert download(EXPORTS["csv"]).decode() == ",".join(TABLE_COLUMNS) + "\n"
        assert json.loads(download(EXPORTS["json"])) == []
        assert json.loads(download(EXPORTS["claimreview"])) == []

    def test_the_downloads_are_named_files(self, db):
        response = client_for().get(EXPORTS["csv"])
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="verdicts.csv"'
        assert client_for().get(EXPORTS["claimreview"])["Content-Type"] == "application/ld+json"


@pytest.mark.django_db
class TestClaimReviewSchema:
    def test_every_record_is_valid_whatever_the_speaker_rating_and_sources(self, publish):
        organization = SpeakerFactory(
            kind=Speaker.Kind.ORGANIZATION, role="", same_as="https://www.wikidata.org/wiki/Q1"
        )
        anonymous = SpeakerFactory(kind=Speaker.Kind.ANONYMOUS, role="")
        cases = [
            ClaimFactory(speaker=organization, claim_date=None),
            ClaimFactory(speaker=anonymous, source=SourceFactory(url="", publisher="", published_on=None)),
            ClaimFactory(first_appearance=SourceFactory(url="", publisher="")),
        ]
        for claim in cases:
            publish(claim)
        misleading = publish(ClaimFactory())
        Verdict.objects.filter(pk=misleading.pk).update(rating=rating("misleading"))
        imported = VerdictFactory(
            published=True,
            author=None,
            approved_by=None,
            publisher_name="Other Checkers",
            publisher_url="",
            url="https://other-checkers.example/checks/1",
        )

        records = json.loads(download(EXPORTS["claimreview"]))

        assert len(records) == 5
        for record in records:
            VALIDATOR.validate(record)
        by_url = {record["url"]: record for record in records}
        assert by_url[f"{settings.PUBLIC_URL}/factchecks/{misleading.slug}/"]["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Misleading",
            "url": f"{settings.PUBLIC_URL}/methodology/#rating-misleading",
        }
        assert by_url[imported.url]["author"] == {
            "@type": "Organization",
            "name": "Other Checkers",
        }
        authors = [record["itemReviewed"]["author"] for record in records]
        assert {"@type": "Organization", "name": organization.name, "sameAs": organization.same_as} in authors
        assert {"@type": "Person", "name": anonymous.name} in authors

    def test_the_schema_refuses_a_record_without_what_google_requires(self, seed_factcheck):
        (record,) = json.loads(download(EXPORTS["claimreview"]))
        for required in ("url", "claimReviewed", "reviewRating"):
            incomplete = {key: value for key, value in record.items() if key != required}
            assert not VALIDATOR.is_valid(incomplete), required
        assert not VALIDATOR.is_valid({**record, "url": "/factchecks/relative/"})
        assert not VALIDATOR.is_valid({**record, "reviewRating": {"@type": "Rating", "ratingValue": 2}})


@pytest.mark.django_db
class TestSpreadsheetSafety:
    @pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
    def test_a_cell_that_would_run_as_a_formula_is_neutralised(self, trigger, publish):
        speaker = SpeakerFactory(name=f'{trigger}HYPERLINK("https://evil.example")', role=f"{trigger}1+1")
        verdict = publish(ClaimFactory(text=f"{trigger}cmd|' /C calc'!A0", speaker=speaker))
        Verdict.objects.filter(pk=verdict.pk).update(summary=f"{trigger}SUM(A1:A9)")

        (row,) = csv_rows(download(EXPORTS["csv"]))

        assert row["claim_text"] == f"'{trigger}cmd|' /C calc'!A0"
        assert row["speaker"] == f'\'{trigger}HYPERLINK("https://evil.example")'
        assert row["speaker_role"] == f"'{trigger}1+1"
        assert row["summary"] == f"'{trigger}SUM(A1:A9)"
        assert row["headline"] == verdict.headline  # what starts harmlessly stays as it is

    def test_stored_links_are_neutralised_too_even_where_validation_was_skipped(self, publish):
        # Models refuse such URLs; a bulk write that skipped validation must still not reach a spreadsheet raw.
        verdict = publish(ClaimFactory(source=SourceFactory(url="=HYPERLINK(1)")), url="https://news.example/fc")
        Verdict.objects.filter(pk=verdict.pk).update(url="@SUM(1)")
        EvidenceFactory(claim=verdict.claim, url="+cmd")
        (row,) = csv_rows(download(EXPORTS["csv"]))
        assert (row["source_url"], row["factcheck_url"], row["evidence_urls"]) == (
            "'=HYPERLINK(1)",
            "'@SUM(1)",
            "'+cmd",
        )

    def test_only_the_csv_is_changed(self, publish):
        publish(ClaimFactory(text="=1+1 is two"))
        (record,) = json.loads(download(EXPORTS["json"]))
        (review,) = json.loads(download(EXPORTS["claimreview"]))
        assert record["claim_text"] == review["claimReviewed"] == "=1+1 is two"

    def test_quotes_commas_and_line_breaks_survive_the_round_trip(self, publish):
        text = 'He said "no", then: yes,\nand again\r\nno.'
        publish(ClaimFactory(text=text))
        (row,) = csv_rows(download(EXPORTS["csv"]))
        assert row["claim_text"] == text


@pytest.mark.django_db
class TestSelection:
    def test_drafts_and_unpublished_claims_are_never_exported_to_the_public(self, newsroom, researcher, outsider):
        for user in (None, researcher, outsider):
            for name in ("csv", "json"):
                body = download(EXPORTS[name], user, status=["draft", "in_review", "published", "retracted"])
                assert "Draft headline" not in body.decode()
            rows = csv_rows(download(EXPORTS["csv"], user))
            assert [int(row["verdict_id"]) for row in rows] == [newsroom["published"].pk]

    def test_a_filter_the_public_may_not_use_matches_nothing(self, newsroom, editor):
        assignee = newsroom["published"].claim.assignee.username
        for name in ("csv", "json", "claimreview"):
            assert download(EXPORTS[name], assignee=assignee).decode().strip() in (",".join(TABLE_COLUMNS), "[\n\n]")
        assert len(csv_rows(download(EXPORTS["csv"], editor, assignee=assignee))) == 1

    def test_staff_export_current_fact_checks_unless_they_name_statuses(self, newsroom, editor):
        assert [row["verdict_id"] for row in csv_rows(download(EXPORTS["csv"], editor))] == [
            str(newsroom["published"].pk)
        ]
        drafts = csv_rows(download(EXPORTS["csv"], editor, status="draft"))
        assert [(row["verdict_id"], row["headline"], row["factcheck_url"]) for row in drafts] == [
            (str(newsroom["draft"].pk), "Draft headline", "")
        ]

    def test_the_claimreview_holds_published_fact_checks_only(self, newsroom, editor):
        records = json.loads(download(EXPORTS["claimreview"], editor, status=["draft", "published"]))
        assert [record["headline"] for record in records] == [newsroom["published"].headline]

    def test_a_correction_replaces_the_verdict_it_corrects(self, publish, reviewer, second_editor):
        original = publish(ClaimFactory())
        correction = workflow.verdict_correct(verdict=original, user=reviewer, reason="The year was wrong.")
        workflow.verdict_update(verdict=correction, user=reviewer, changes={"headline": "Corrected headline"})
        correction = workflow.verdict_submit(verdict=Verdict.objects.get(pk=correction.pk), user=reviewer)
        workflow.verdict_publish(verdict=correction, editor=second_editor)

        (current,) = csv_rows(download(EXPORTS["csv"]))
        assert (current["headline"], current["change_kind"], current["change_note"]) == (
            "Corrected headline",
            "correction",
            "The year was wrong.",
        )
        assert current["factcheck_url"] == f"{settings.PUBLIC_URL}/factchecks/{original.slug}/"  # one address
        every_version = csv_rows(download(EXPORTS["csv"], status=["published", "superseded"]))
        assert sorted(row["headline"] for row in every_version) == ["Corrected headline", original.headline]

    def test_the_filters_of_the_claim_and_verdict_lists_apply(self, publish):
        topic = TopicFactory(slug="economy")
        wire = SourceFactory(publisher="Wire Service", published_on=datetime.date(2020, 3, 1))
        by_topic = publish(ClaimFactory(text="Exports doubled in a year"))
        by_topic.claim.topics.add(topic)
        from_wire = publish(ClaimFactory(source=wire, claim_date=datetime.date(2020, 2, 1)))
        true_one = publish(ClaimFactory())
        Verdict.objects.filter(pk=true_one.pk).update(rating=rating("true"))
        last_year = publish(ClaimFactory())
        Verdict.objects.filter(pk=last_year.pk).update(published_at=timezone.now() - datetime.timedelta(days=400))

        def exported(**params):
            return {int(row["verdict_id"]) for row in csv_rows(download(EXPORTS["csv"], **params))}

        assert exported(topic="economy") == {by_topic.pk}
        assert exported(q="exports doubled") == {by_topic.pk}
        assert exported(publisher="Wire Service") == {from_wire.pk}
        assert exported(source=wire.pk) == {from_wire.pk}
        assert exported(speaker=from_wire.claim.speaker_id) == {from_wire.pk}
        assert exported(claim=true_one.claim_id) == {true_one.pk}
        assert exported(claim_date_after="2020-01-01", claim_date_before="2020-02-28") == {from_wire.pk}
        assert exported(rating="true") == {true_one.pk}
        last_year_day = (timezone.now() - datetime.timedelta(days=400)).date().isoformat()
        assert exported(published_before=last_year_day) == {last_year.pk}
        assert exported(published_after=last_year_day) == {by_topic.pk, from_wire.pk, true_one.pk, last_year.pk}

    def test_the_same_filters_choose_the_same_verdicts_in_the_verdict_list(self, publish):
        wire = SourceFactory(publisher="Wire Service")
        chosen = publish(ClaimFactory(source=wire))
        publish(ClaimFactory())
        listed = client_for().get("/api/v1/verdicts/", {"publisher": "Wire Service"}).json()["results"]
        assert [verdict["id"] for verdict in listed] == [chosen.pk]
        assert [int(row["verdict_id"]) for row in csv_rows(download(EXPORTS["csv"], publisher="Wire Service"))] == [
            chosen.pk
        ]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"speeker": "1"}, "speeker"),
            ({"speaker": "abc"}, "speaker"),
            ({"published_after": "2019-13-40"}, "published"),
            ({"status": "lost"}, "status"),
            ({"speaker": ""}, "speaker"),
            ({"page": "2"}, "page"),
        ],
    )
    def test_an_unknown_filter_or_a_bad_value_is_refused_with_400(self, db, params, field):
        response = client_for().get(EXPORTS["csv"], params)
        assert response.status_code == 400
        body = response.json()
        assert body["status"] == 400
        assert field in {error["field"] for error in body["errors"]}

    def test_the_selection_refuses_bad_filters_before_reading_anything(self, db):
        with pytest.raises(SelectionError, match="claim_date"):
            chosen_verdicts(user=AnonymousUser(), params=QueryDict("claim_date_after=yesterday"))


@pytest.mark.django_db
class TestStreaming:
    def test_the_export_streams_in_chunks_as_it_reads(self, monkeypatch, publish):
        for _ in range(6):
            publish(ClaimFactory())
        monkeypatch.setattr(formats, "CHUNK_BYTES", 200)
        for name in ("csv", "json", "claimreview"):
            response = client_for().get(EXPORTS[name])
            chunks = list(response.streaming_content)
            assert len(chunks) >= 6, name

    @pytest.mark.parametrize("name", ["csv", "json", "claimreview"])
    def test_the_number_of_queries_does_not_grow_with_the_rows(self, name, django_assert_max_num_queries):
        VerdictFactory(published=True)
        with django_assert_max_num_queries(5) as few:
            download(EXPORTS[name])
        for _ in range(20):
            EvidenceFactory(claim=VerdictFactory(published=True).claim)
        # The selection and its rows in one query (on PostgreSQL inside a transaction that the cursor
        # needs: its savepoint queries are counted too); ClaimReview also reads the scale's ends. One more
        # asks whether the selection is small enough to stream (EXPORT_INLINE_MAX_ROWS).
        with django_assert_max_num_queries(len(few.captured_queries)):
            download(EXPORTS[name])

    def test_progress_hears_every_row(self, db):
        for _ in range(3):
            VerdictFactory(published=True)
        heard = []
        verdicts = chosen_verdicts(user=AnonymousUser(), params=QueryDict())
        for name in ("csv", "json", "claimreview"):
            heard.clear()
            b"".join(formats.FORMATS[name].stream(verdicts, heard.append))
            assert heard[-1] == 3, name

    def test_a_different_user_sees_a_different_selection_from_the_same_filters(self, newsroom):
        reviewer = UserFactory(role="reviewer")
        for_public = chosen_verdicts(user=AnonymousUser(), params=QueryDict("status=draft"))
        for_staff = chosen_verdicts(user=reviewer, params=QueryDict("status=draft"))
        assert list(for_public) == []
        assert list(for_staff) == [newsroom["draft"]]
