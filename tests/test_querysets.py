"""Who sees what (``visible_to``) and claim search, on both databases."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from claims.models import Claim, Evidence, Source, Speaker, Topic, Verdict
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory

pytestmark = pytest.mark.django_db


class TestVisibleTo:
    def test_the_public_sees_only_what_stands_behind_a_published_claim(self, newsroom, researcher):
        published = newsroom["published"]
        for user in (researcher, AnonymousUser()):
            assert list(Claim.objects.visible_to(user)) == [published.claim]
            assert list(Verdict.objects.visible_to(user)) == [published]
            assert list(Speaker.objects.visible_to(user)) == [published.claim.speaker]
            assert list(Source.objects.visible_to(user)) == [published.claim.source]
            assert list(Topic.objects.visible_to(user).values_list("slug", flat=True)) == ["public-topic"]
            assert list(Evidence.objects.visible_to(user)) == [newsroom["public_evidence"]]

    def test_a_retraction_stays_public_while_its_claim_is(self, newsroom, researcher):
        published = newsroom["published"]
        retracted = VerdictFactory(
            claim=published.claim,
            status=Verdict.Status.RETRACTED,
            approved_by=published.approved_by,
            published_at=published.published_at,
            retracted_at=published.published_at,
            retraction_reason="Wrong figure.",
        )
        assert set(Verdict.objects.visible_to(researcher)) == {published, retracted}

    def test_staff_see_everything(self, newsroom, reviewer, editor):
        for user in (reviewer, editor):
            assert Claim.objects.visible_to(user).count() == 3
            assert Verdict.objects.visible_to(user).count() == 2
            assert Source.objects.visible_to(user).count() == 4
            assert Evidence.objects.visible_to(user).count() == 2

    def test_a_first_appearance_behind_a_published_claim_is_public(self, researcher):
        verdict = VerdictFactory(published=True, claim__first_appearance=SourceFactory(title="Press release"))
        titles = set(Source.objects.visible_to(researcher).values_list("title", flat=True))
        assert titles == {verdict.claim.source.title, "Press release"}


class TestSearch:
    def test_it_finds_claims_by_words_in_any_form(self):
        ClaimFactory(text="Inflation rose to 9 percent in March.")
        ClaimFactory(text="The minister opened a bridge.")
        texts = list(Claim.objects.search("inflation percent").values_list("text", flat=True))
        assert texts == ["Inflation rose to 9 percent in March."]

    def test_every_word_must_match(self):
        ClaimFactory(text="Inflation rose to 9 percent in March.")
        assert not Claim.objects.search("inflation bridge").exists()

    def test_a_query_without_words_finds_nothing(self):
        ClaimFactory(text="Inflation rose to 9 percent in March.")
        assert not Claim.objects.search("  !? ").exists()

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="only PostgreSQL has full-text search and its planner"
    )
    def test_postgresql_weighs_each_match_at_its_real_cost(self):
        ClaimFactory(text="Inflation rose to 9 percent in March.")
        sql = str(Claim.objects.search("inflation").query)
        assert "claims_text_matches" in sql
        assert list(Claim.objects.search("inflation").values_list("text", flat=True)) == [
            "Inflation rose to 9 percent in March."
        ]
