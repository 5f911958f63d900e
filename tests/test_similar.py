"""Already checked? Similar claims through the queryset, the API and the claim's admin page, on either database."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, SharesDistinctiveWords, trigram_similarity
from tests.api import client_for, error_fields
from tests.factories import ClaimFactory, SourceFactory, SpeakerFactory, VerdictFactory, rating

pytestmark = pytest.mark.django_db

ORIGINAL = "Unemployment in Springfield rose by 12.5 percent between 1999 and 2010, according to the Statistics Bureau."
REWORDED = "Unemployment in Springfield rose by 12.4 percent between 1999 and 2010, says the Bureau of Statistics."
SAME_PLACE = "Springfield spends 40 million dollars a year on school buses, more than any other town."
UNRELATED = "The mayor opened a new bridge over the river."
EDITED = "Unemployment in Springfield rose 12.5 percent between 1999 and 2010, according to the Statistics Bureau"


def published(text: str, **verdict_fields) -> Claim:
    return VerdictFactory(published=True, claim__text=text, **verdict_fields).claim


@pytest.fixture
def recorded():
    """Three published claims about Springfield, an unrelated one, and a draft near-duplicate."""
    return {
        "original": published(ORIGINAL, rating=rating("false"), headline="No, it fell"),
        "reworded": published(REWORDED),
        "same_place": published(SAME_PLACE),
        "unrelated": published(UNRELATED),
        "draft": ClaimFactory(text=ORIGINAL.replace("Springfield", "Springfield County")),
    }


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def similar(text: str, user=None, **params) -> list[dict]:
    return results(client_for(user).get("/api/v1/claims/similar/", {"text": text, **params}))


class TestScore:
    def test_it_scores_as_pg_trgm_does(self):
        assert trigram_similarity("word", "two words") == pytest.approx(4 / 11)
        assert trigram_similarity("Cat!", "cat") == 1
        assert trigram_similarity("", "cat") == 0
        assert trigram_similarity(None, "cat") is None

    def test_it_ranks_claims_by_similarity_on_the_queryset(self, recorded):
        found = list(Claim.objects.similar_to(EDITED, limit=3))
        assert [claim.pk for claim in found[:2]] == [recorded["original"].pk, recorded["draft"].pk]
        assert 0 < found[2].similarity < found[1].similarity < found[0].similarity <= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL picks candidates by its statistics")
class TestDistinctiveWords:
    COMMON = 2100  # more than twice SharesDistinctiveWords.COMMON_IN_CLAIMS

    @pytest.fixture
    def analyzed(self):
        """Claims that all say "rents rose in Springfield", each with its own figure, and their statistics."""
        speaker, source = SpeakerFactory(), SourceFactory()
        Claim.objects.bulk_create(
            Claim(text=f"Rents rose by {n} percent in Springfield.", speaker=speaker, source=source)
            for n in range(self.COMMON)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")

    def terms(self, text: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT claims_distinctive_terms(%s, %s)::text", [text, SharesDistinctiveWords.COMMON_IN_CLAIMS]
            )
            return cursor.fetchone()[0]

    def test_it_looks_up_by_the_rare_words_only(self, analyzed):
        assert self.terms("Rents rose by 1234 percent in Springfield.") == "'1234'"
        found = Claim.objects.similar_to("Rents rose by 1234 percent in Springfield.", limit=1)
        assert [claim.text for claim in found] == ["Rents rose by 1234 percent in Springfield."]

    def test_it_needs_all_the_words_when_none_is_rare(self, analyzed):
        assert self.terms("Rents rose in Springfield") == "'rent' & 'rose' & 'springfield'"


class TestSimilarToText:
    def test_it_ranks_near_duplicates_first_with_their_scores(self, recorded):
        found = similar(EDITED)
        assert [row["id"] for row in found[:3]] == [
            recorded["original"].pk,
            recorded["reworded"].pk,
            recorded["same_place"].pk,
        ]
        scores = [row["similarity"] for row in found]
        assert scores == sorted(scores, reverse=True)
        assert scores[0] > 0.8
        assert scores[1] > 0.5
        assert scores[2] < 0.3

    def test_it_leaves_out_or_scores_low_unrelated_claims(self, recorded):
        unrelated = [row for row in similar(EDITED) if row["id"] == recorded["unrelated"].pk]
        assert not unrelated or unrelated[0]["similarity"] < 0.1
        assert similar("Xylophones quarantined zebras") == []

    def test_it_gives_the_claim_and_its_current_verdict(self, recorded):
        original = recorded["original"]
        row = similar(EDITED, limit=1)[0]
        assert row["url"] == f"http://testserver/api/v1/claims/{original.pk}/"
        assert row["text"] == ORIGINAL
        assert row["speaker"]["name"] == original.speaker.name
        assert row["source"]["id"] == original.source_id
        assert row["claim_date"] == "2019-07-04"
        verdict = original.current_verdict
        assert row["current_verdict"] == {
            "id": verdict.pk,
            "rating": "False",
            "headline": "No, it fell",
            "published_at": verdict.published_at.isoformat().replace("+00:00", "Z"),
            "publisher_name": "",
            "factcheck_url": f"{settings.PUBLIC_URL}/factchecks/{verdict.slug}/",
        }

    def test_it_gives_a_null_verdict_to_a_claim_without_one(self, recorded, editor):
        draft = next(row for row in similar(EDITED, editor) if row["id"] == recorded["draft"].pk)
        assert draft["current_verdict"] is None

    def test_it_answers_with_at_most_limit_claims(self, recorded):
        assert len(similar(EDITED, limit=2)) == 2
        assert len(similar(EDITED)) == 3  # the unrelated claim shares no word on PostgreSQL, a few trigrams on SQLite

    def test_it_shows_anonymous_callers_and_researchers_published_claims_only(self, recorded, researcher):
        public = {claim.pk for name, claim in recorded.items() if name != "draft"}
        for user in (None, researcher):
            assert {row["id"] for row in similar(EDITED, user)} <= public

    def test_it_shows_staff_claims_in_the_newsroom_too(self, recorded, editor, reviewer):
        for user in (editor, reviewer):
            assert recorded["draft"].pk in {row["id"] for row in similar(EDITED, user)}


class TestSimilarToClaim:
    def url(self, claim) -> str:
        return f"/api/v1/claims/{claim.pk}/similar/"

    def test_it_leaves_out_the_claim_itself(self, recorded):
        found = results(client_for().get(self.url(recorded["original"])))
        assert [row["id"] for row in found[:2]] == [recorded["reworded"].pk, recorded["same_place"].pk]
        assert recorded["original"].pk not in {row["id"] for row in found}

    def test_it_hides_a_claim_the_caller_may_not_see(self, recorded, researcher, editor):
        assert client_for().get(self.url(recorded["draft"])).status_code == 404
        assert client_for(researcher).get(self.url(recorded["draft"])).status_code == 404
        found = results(client_for(editor).get(self.url(recorded["draft"])))
        assert found[0]["id"] == recorded["original"].pk

    def test_it_answers_404_for_an_id_that_is_not_a_number(self):
        assert client_for().get("/api/v1/claims/abc/similar/").status_code == 404

    def test_it_refuses_a_bad_limit(self, recorded):
        response = client_for().get(self.url(recorded["original"]), {"limit": "0"})
        assert response.status_code == 400
        assert error_fields(response) == {"limit"}


class TestBadParameters:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({}, "text"),
            ({"text": ""}, "text"),
            ({"text": "   "}, "text"),
            ({"text": "x" * 2001}, "text"),
            ({"text": "a\x00b"}, "text"),
            ({"text": "rents", "limit": "0"}, "limit"),
            ({"text": "rents", "limit": "51"}, "limit"),
            ({"text": "rents", "limit": "ten"}, "limit"),
            ({"text": "rents", "limit": ""}, "limit"),
        ],
    )
    def test_it_refuses_with_the_field_named(self, params, field):
        response = client_for().get("/api/v1/claims/similar/", params)
        assert response.status_code == 400
        assert error_fields(response) == {field}

    def test_it_takes_the_longest_text_allowed(self):
        assert client_for().get("/api/v1/claims/similar/", {"text": "x" * 2000}).status_code == 200


class TestQueries:
    def test_it_runs_one_query_whatever_the_number_of_results(self, django_assert_num_queries):
        for count in (1, 4):
            for number in range(count):
                published(f"Rents in Springfield rose by {number + 1} percent in 2010.")
            # the claims with their speaker, source, current verdict and rating, best first
            with django_assert_num_queries(1):
                found = similar("Rents in Springfield rose by 3 percent in 2010.", limit=50)
            assert len(found) == Claim.objects.count()

    def test_it_runs_two_queries_for_a_claim(self, recorded, django_assert_num_queries):
        # the claim's text, then the similar claims with what they join
        with django_assert_num_queries(2):
            assert len(results(client_for().get(f"/api/v1/claims/{recorded['original'].pk}/similar/"))) == 2


class TestAdmin:
    def change_page(self, client, user, claim):
        client.force_login(user)
        response = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_it_links_the_claims_possibly_checked_before(self, client, editor, recorded):
        page = self.change_page(client, editor, recorded["draft"])
        assert "Possibly checked before" in page
        original_link = reverse("admin:claims_claim_change", args=[recorded["original"].pk])
        assert f'<a href="{original_link}">{recorded["original"]}</a> (similarity 0.' in page
        assert "; False)" in page
        reworded_link = reverse("admin:claims_claim_change", args=[recorded["reworded"].pk])
        assert page.index(original_link) < page.index(reworded_link)

    def test_it_says_when_none_is_found(self, client, editor):
        claim = ClaimFactory(text="Zebras quarantined xylophones.")
        ClaimFactory(text="Rents rose.")
        assert "None found" in self.change_page(client, editor, claim)

    def test_it_costs_one_query(self, client, editor, recorded):
        client.force_login(editor)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("admin:claims_claim_change", args=[recorded["draft"].pk]))
        assert len([query for query in queries.captured_queries if "similarity" in query["sql"].lower()]) == 1
