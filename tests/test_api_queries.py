"""Filtering, search, ordering and both kinds of pagination, with the queries each list costs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim, Evidence, Topic, Verdict
from tests.api import client_for, error_fields, ids
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory, TopicFactory, VerdictFactory, rating

pytestmark = pytest.mark.django_db


def published(**claim_fields):
    return VerdictFactory(published=True, **{f"claim__{name}": value for name, value in claim_fields.items()}).claim


class TestFilters:
    def test_it_filters_by_speaker_source_and_publisher(self):
        first = published(source__publisher="Daily Planet")
        second = published()
        api = client_for()
        assert ids(api.get(f"/api/v1/claims/?speaker={first.speaker_id}")) == {first.pk}
        assert ids(api.get(f"/api/v1/claims/?source={second.source_id}")) == {second.pk}
        assert ids(api.get("/api/v1/claims/?publisher=Daily Planet")) == {first.pk}

    def test_it_filters_by_rating_topic_and_dates(self):
        true_claim = VerdictFactory(published=True, rating=rating("true"), claim__claim_date="2019-01-10").claim
        true_claim.topics.add(TopicFactory(slug="economy"))
        false_claim = published(claim_date=datetime.date(2019, 6, 1))
        Claim.objects.filter(pk=false_claim.pk).update(current_verdict=false_claim.verdicts.get())
        Verdict.objects.filter(pk=false_claim.current_verdict_id).update(
            published_at=timezone.make_aware(datetime.datetime(2020, 5, 1, 23, 30))
        )
        api = client_for()
        assert ids(api.get("/api/v1/claims/?rating=true")) == {true_claim.pk}
        assert ids(api.get("/api/v1/claims/?topic=economy")) == {true_claim.pk}
        assert ids(api.get("/api/v1/claims/?claim_date_after=2019-02-01")) == {false_claim.pk}
        assert ids(api.get("/api/v1/claims/?claim_date_before=2019-02-01")) == {true_claim.pk}
        assert ids(api.get("/api/v1/claims/?published_after=2020-05-01&published_before=2020-05-01")) == {
            false_claim.pk
        }
        assert ids(api.get("/api/v1/claims/?published_before=2020-04-30")) == set()

    def test_staff_filter_by_status_assignee_and_verdict(self, editor):
        done = published()
        waiting = ClaimFactory(assigned=True)
        ClaimFactory()
        api = client_for(editor)
        assert ids(api.get("/api/v1/claims/?status=assigned&status=published")) == {done.pk, waiting.pk}
        assert ids(api.get(f"/api/v1/claims/?assignee={waiting.assignee.username}")) == {waiting.pk}
        assert ids(api.get("/api/v1/claims/?has_verdict=true")) == {done.pk}
        assert len(ids(api.get("/api/v1/claims/?has_verdict=false"))) == 2

    @pytest.mark.parametrize("query", ["ordering=%25d,,", "has_verdict=%25s", "status=&foo=%25"])
    def test_a_percent_sign_in_a_refused_value_is_quoted_as_sent(self, query):
        response = client_for().get(f"/api/v1/claims/?{query}")
        assert response.status_code == 400

    def test_an_ordering_with_an_empty_field_is_refused(self):
        response = client_for().get("/api/v1/claims/?ordering=,,")
        assert response.status_code == 400
        assert error_fields(response) == {"ordering"}

    def test_an_invalid_filter_value_is_refused_with_the_parameter_named(self):
        response = client_for().get("/api/v1/claims/?claim_date_after=yesterday")
        assert response.status_code == 400
        assert error_fields(response) == {"claim_date"}
        assert client_for().get("/api/v1/claims/?status=bogus").status_code == 400

    def test_verdicts_evidence_speakers_and_sources_have_their_filters(self):
        claim = published(source__publisher="Daily Planet")
        EvidenceFactory(claim=claim, stance="supports")
        api = client_for()
        assert ids(api.get(f"/api/v1/verdicts/?claim={claim.pk}&rating=false")) == {claim.current_verdict.pk}
        assert len(ids(api.get(f"/api/v1/evidence/?claim={claim.pk}&stance=supports"))) == 1
        assert ids(api.get(f"/api/v1/speakers/?slug={claim.speaker.slug}")) == {claim.speaker_id}
        assert ids(api.get("/api/v1/sources/?publisher=Daily Planet")) == {claim.source_id}


class TestSearch:
    def test_q_finds_claims_by_their_words(self):
        inflation = published(text="Inflation rose to 9 percent in March.")
        published(text="The minister opened a new bridge.")
        assert ids(client_for().get("/api/v1/claims/?q=inflation")) == {inflation.pk}

    def test_results_can_be_ranked_by_relevance(self):
        weak = published(text="Prices rose while wages stayed flat.")
        strong = published(text="Prices rose, prices rose again, and prices kept rising.")
        response = client_for().get("/api/v1/claims/?q=prices&ordering=-rank")
        order = [row["id"] for row in response.json()["results"]]
        if connection.vendor == "postgresql":
            assert order == [strong.pk, weak.pk]
        else:  # no relevance without full-text search: newest first
            assert order == [strong.pk, weak.pk] if strong.pk > weak.pk else [weak.pk, strong.pk]


class TestPagination:
    @pytest.fixture
    def claims(self):
        source = SourceFactory()
        return [published(source=source) for _ in range(7)]

    def test_a_cursor_walks_every_claim_once_newest_first(self, claims):
        seen, url = [], "/api/v1/claims/?cursor=&page_size=3"
        while url:
            body = client_for().get(url).json()
            assert "count" not in body
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        assert seen == sorted((claim.pk for claim in claims), reverse=True)

    def test_numbered_pages_count_and_cap_the_page_size(self, claims):
        body = client_for().get("/api/v1/claims/?page=2&page_size=3").json()
        assert body["count"] == 7
        assert len(body["results"]) == 3
        assert len(client_for().get("/api/v1/claims/?page_size=1000").json()["results"]) == 7

    def test_a_cursor_only_walks_by_id(self, claims):
        response = client_for().get("/api/v1/claims/?cursor=&ordering=claim_date")
        assert response.status_code == 400
        assert error_fields(response) == {"ordering"}
        assert client_for().get("/api/v1/claims/?cursor=&ordering=id").status_code == 200

    def test_a_page_past_the_end_is_404(self, claims):
        assert client_for().get("/api/v1/claims/?page=99").status_code == 404


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


class TestQueryCounts:
    @pytest.fixture
    def hundred_claims(self):
        topics = [TopicFactory(), TopicFactory()]
        for _ in range(100):
            claim = published(first_appearance=SourceFactory())
            claim.topics.set(topics)

    @pytest.mark.parametrize(
        ("url", "queries"), [("/api/v1/claims/?page_size={n}", 4), ("/api/v1/claims/?cursor=&page_size={n}", 3)]
    )
    def test_a_claim_list_costs_the_same_few_queries_whatever_its_size(self, hundred_claims, url, queries):
        # Numbered pages: the count, the page's ids, their claims with speaker, sources and current
        # verdict joined, the topics. A cursor skips the count.
        small, large = (queries_for(client_for(), url.format(n=n)) for n in (5, 100))
        assert small == large == queries

    @pytest.mark.parametrize("endpoint", ["claims", "verdicts", "evidence", "speakers", "sources", "topics"])
    def test_every_list_costs_the_same_at_5_and_100_rows_for_staff_too(self, hundred_claims, editor, endpoint):
        # A fresh copy of the user for each request, so that both load their permissions.
        def editor_api():
            return client_for(type(editor).objects.get(pk=editor.pk))

        small, large = (queries_for(editor_api(), f"/api/v1/{endpoint}/?page_size={n}") for n in (5, 100))
        assert small == large


class TestConcurrentDeletes:
    def test_a_record_deleted_between_the_pages_ids_and_its_rows_is_left_out_not_an_error(self):
        claim = published()
        kept, gone = TopicFactory(), TopicFactory()
        claim.topics.add(kept, gone)
        deleted = []

        def delete_after_the_ids(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if not deleted and sql.startswith('SELECT "claims_topic"."id" AS "id" FROM'):
                deleted.append(gone.pk)
                Topic.objects.filter(pk=gone.pk).delete()  # another request's delete, in between
            return result

        with connection.execute_wrapper(delete_after_the_ids):
            response = client_for().get("/api/v1/topics/?cursor=")
        assert deleted == [gone.pk]
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [kept.pk]


class TestPlannedRepresentation:
    def test_it_renders_exactly_what_drf_renders_field_by_field(self, newsroom, editor):
        from rest_framework import serializers as drf
        from rest_framework.test import APIRequestFactory

        from claims.api import serializers
        from claims.models import Verdict

        request = APIRequestFactory().get("/")
        request.user = editor
        claim = Claim.objects.select_related("current_verdict__rating").get(pk=newsroom["published"].claim_id)
        claim.first_appearance = SourceFactory()
        cases = [
            (serializers.StaffClaimSerializer, claim),
            (serializers.ClaimSerializer, newsroom["triage"]),
            (serializers.ClaimWriteSerializer, claim),
            (serializers.StaffVerdictSerializer, Verdict.objects.get(pk=newsroom["draft"].pk)),
            (serializers.EvidenceSerializer, Evidence.objects.get(pk=newsroom["public_evidence"].pk)),
            (serializers.SpeakerSerializer, claim.speaker),
            (serializers.SourceSummarySerializer, claim.source),
            (serializers.VerdictSummarySerializer, claim.current_verdict),
            (serializers.RatingSerializer, claim.current_verdict.rating),
            (serializers.TopicSerializer, claim.topics.first()),
        ]
        for serializer_class, instance in cases:
            serializer = serializer_class(context={"request": request})
            assert serializer.to_representation(instance) == drf.Serializer.to_representation(serializer, instance)


class TestIdsOutOfRange:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/claims/?speaker=1.5",
            "/api/v1/claims/?speaker=-6e307",
            "/api/v1/claims/?source=99999999999999999999",
            "/api/v1/verdicts/?claim=0",
        ],
    )
    def test_a_filter_id_that_is_no_whole_number_in_range_is_refused(self, url):
        assert client_for().get(url).status_code == 400

    def test_a_nul_character_in_a_text_filter_is_refused(self):
        response = client_for().get("/api/v1/claims/?publisher=Daily%00Planet")
        assert response.status_code == 400
        assert error_fields(response) == {"publisher"}

    @pytest.mark.parametrize("pk", ["99999999999999999999", "%C2%B2", "0"])
    def test_a_path_id_that_is_no_record_s_is_simply_not_found(self, pk):
        assert client_for().get(f"/api/v1/claims/{pk}/").status_code == 404

    @pytest.mark.parametrize("query", ["page=%C2%B2", "page_size=%C2%B2", "cursor=&page_size=%C2%B9"])
    def test_page_numbers_are_ascii_digits(self, query):
        assert client_for().get(f"/api/v1/claims/?{query}").status_code == 400

    def test_a_cursor_pointing_beyond_the_range_is_invalid(self):
        import base64

        cursor = base64.b64encode(b"p=99999999999999999999").decode()
        assert client_for().get(f"/api/v1/claims/?cursor={cursor}").status_code == 404

    def test_a_related_id_beyond_the_range_names_no_record(self, reviewer):
        response = client_for(reviewer).post("/api/v1/evidence/", {"claim": 2**70, "title": "T"})
        assert response.status_code == 400
        assert error_fields(response) == {"claim"}
