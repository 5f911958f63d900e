"""Other names a speaker goes by: kept in the admin, shown by the API, and matched by every intake path."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.intake.claimreview.importing import claim_reviews_import
from claims.intake.claimreview.reading import find_claim_reviews
from claims.intake.proposals import extracted_claims_save
from claims.models import Claim, Source, Speaker, SpeakerAlias
from tests.api import client_for
from tests.factories import CandidateFactory, SpeakerFactory, VerdictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patel():
    speaker = SpeakerFactory(name="Priya Patel", slug="priya-patel")
    SpeakerAlias.objects.create(speaker=speaker, name="P. Patel")
    return speaker


class TestTheRules:
    def test_an_alias_is_keyed_like_a_name(self, patel):
        assert patel.aliases.get().slug == Speaker.slug_for("P. Patel") == "p-patel"

    def test_an_alias_never_names_another_speaker(self, patel):
        other = SpeakerFactory(name="Rui Costa", slug="rui-costa")
        with pytest.raises(ValidationError) as refused:
            SpeakerAlias(speaker=other, name="Priya Patel").full_clean()
        assert refused.value.message_dict == {"name": ["“Priya Patel” is the name of another speaker."]}
        with pytest.raises(ValidationError) as refused:
            SpeakerAlias(speaker=other, name="P. Patel").full_clean()
        assert refused.value.message_dict == {"__all__": ["Another speaker already goes by this name."]}

    def test_a_speaker_is_never_created_under_another_ones_alias(self, patel):
        with pytest.raises(ValidationError) as refused:
            Speaker(name="P. Patel").full_clean()
        assert refused.value.message_dict == {"name": ["“P. Patel” is another name of Priya Patel."]}

    def test_a_speakers_own_name_is_no_alias(self, patel):
        with pytest.raises(ValidationError) as refused:
            SpeakerAlias(speaker=patel, name="Priya Patel").full_clean()
        assert refused.value.message_dict == {"name": ["This is the speaker's own name."]}

    def test_the_speaker_who_goes_by_a_name_is_found_by_it_or_by_an_alias(self, patel):
        assert Speaker.objects.by_slug(["priya-patel", "p-patel", "nobody"]) == {
            "priya-patel": patel,
            "p-patel": patel,
        }
        assert list(Speaker.objects.named("P. Patel")) == [patel]


class TestIntake:
    def test_claims_proposed_from_an_article_go_to_the_speaker_an_alias_names(self, patel):
        report = extracted_claims_save(
            source=Source(title="Clinics", publisher="Port News"), candidates=[CandidateFactory(speaker="P. Patel")]
        )
        assert report.created[0].speaker == patel
        assert Speaker.objects.count() == 1

    def test_an_imported_review_goes_to_the_speaker_an_alias_names(self, patel):
        review = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://checker.example/fact-checks/1",
            "claimReviewed": "The clinic treated 4,000 patients last year",
            "author": {"@type": "Organization", "name": "Checker"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "P. Patel"}},
        }
        claim_reviews_import(find_claim_reviews(json.dumps(review)))
        assert Claim.objects.get().speaker == patel
        assert Speaker.objects.count() == 1


class TestInterfaces:
    def test_the_api_lists_a_speakers_aliases_and_finds_a_speaker_by_one(self, patel):
        VerdictFactory(published=True, claim__speaker=patel)
        found = client_for().get("/api/v1/speakers/", {"name": "P. Patel"}).json()["results"]
        assert [(speaker["id"], speaker["aliases"]) for speaker in found] == [
            (patel.pk, [{"name": "P. Patel", "slug": "p-patel"}])
        ]

    def test_an_editor_adds_an_alias_on_the_speakers_page_and_is_told_when_it_names_someone_else(
        self, client, editor, patel
    ):
        other = SpeakerFactory(name="Rui Costa", slug="rui-costa")
        client.force_login(editor)
        url = reverse("admin:claims_speaker_change", args=[other.pk])
        form = {
            "name": other.name,
            "slug": other.slug,
            "kind": other.kind,
            "role": other.role,
            "aliases-TOTAL_FORMS": 1,
            "aliases-INITIAL_FORMS": 0,
            "aliases-0-name": "Priya Patel",
        }
        refused = client.post(url, form)
        assert refused.status_code == 200
        assert "is the name of another speaker" in refused.content.decode()
        assert client.post(url, form | {"aliases-0-name": "R. Costa"}).status_code == 302
        assert list(other.aliases.values_list("name", flat=True)) == ["R. Costa"]
