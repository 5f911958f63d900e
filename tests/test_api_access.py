"""Every endpoint, method and role: what each persona may see and do through the API."""

import pytest
from django.contrib.auth.models import AnonymousUser

from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict
from tests.api import client_for, ids, row_counts
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "claims": Claim,
    "verdicts": Verdict,
    "evidence": Evidence,
    "speakers": Speaker,
    "sources": Source,
    "topics": Topic,
}


@pytest.fixture(params=["anonymous", "researcher"])
def public_client(request, researcher):
    return client_for(None if request.param == "anonymous" else researcher)


@pytest.fixture(params=["reviewer", "editor"])
def staff_client(request, reviewer, editor):
    return client_for(reviewer if request.param == "reviewer" else editor)


class TestThePublic:
    @pytest.mark.parametrize("endpoint", ENDPOINTS)
    def test_it_lists_only_what_stands_behind_published_claims(self, newsroom, public_client, endpoint):
        model = ENDPOINTS[endpoint]
        visible = set(model.objects.visible_to(AnonymousUser()).values_list("pk", flat=True))
        assert visible, "the newsroom fixture has something public of each kind"
        assert ids(public_client.get(f"/api/v1/{endpoint}/")) == visible
        assert ids(public_client.get(f"/api/v1/{endpoint}/?cursor=")) == visible

    @pytest.mark.parametrize("endpoint", ENDPOINTS)
    def test_hidden_records_answer_404_as_if_they_did_not_exist(self, newsroom, public_client, endpoint):
        model = ENDPOINTS[endpoint]
        hidden = model.objects.exclude(pk__in=model.objects.visible_to(AnonymousUser())).values_list("pk", flat=True)
        missing = model.objects.order_by("-pk").first().pk + 1000
        for pk in [*hidden, missing]:
            response = public_client.get(f"/api/v1/{endpoint}/{pk}/")
            assert response.status_code == 404
            assert response.json()["detail"] == f"No {model.__name__} matches the given query."

    def test_no_draft_or_unpublished_claim_ever_appears(self, newsroom, public_client):
        body = b"".join(
            public_client.get(url).content
            for url in [
                *(f"/api/v1/{endpoint}/" for endpoint in ENDPOINTS),
                f"/api/v1/claims/{newsroom['published'].claim_id}/",
                f"/api/v1/verdicts/{newsroom['published'].pk}/",
                "/api/v1/claims/?q=unemployment",
                "/api/v1/claims/?status=new&status=assigned",
            ]
        ).decode()
        for secret in ["Draft headline", "Internal note", "internal-topic", "Unpublished source"]:
            assert secret not in body
        assert str(newsroom["published"].claim.text) in body

    def test_internal_fields_are_left_out(self, newsroom, public_client):
        claim = public_client.get(f"/api/v1/claims/{newsroom['published'].claim_id}/").json()
        assert {"notes", "assignee", "rejection_reason"}.isdisjoint(claim)
        assert claim["current_verdict"]["rating"]["slug"] == "false"
        verdict = public_client.get(f"/api/v1/verdicts/{newsroom['published'].pk}/").json()
        assert {"author", "approved_by", "version"}.isdisjoint(verdict)

    def test_the_assignee_filter_matches_nothing_for_the_public(self, newsroom, public_client):
        assignee = newsroom["published"].claim.assignee.username
        assert ids(public_client.get(f"/api/v1/claims/?assignee={assignee}")) == set()

    @pytest.mark.parametrize("endpoint", ENDPOINTS)
    def test_it_may_not_write(self, newsroom, public_client, endpoint):
        before = row_counts()
        pk = ENDPOINTS[endpoint].objects.visible_to(AnonymousUser()).first().pk
        expected = 403 if public_client.handler._force_user else 401
        assert public_client.post(f"/api/v1/{endpoint}/", {}, format="json").status_code == expected
        assert public_client.patch(f"/api/v1/{endpoint}/{pk}/", {}, format="json").status_code == expected
        assert public_client.put(f"/api/v1/{endpoint}/{pk}/", {}, format="json").status_code == expected
        assert row_counts() == before

    def test_an_anonymous_write_is_told_how_to_authenticate(self, newsroom):
        response = client_for().post("/api/v1/claims/", {}, format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    def test_workflow_moves_are_refused(self, newsroom, researcher):
        verdict = newsroom["published"]
        response = client_for(researcher).post(f"/api/v1/verdicts/{verdict.pk}/retract/", {"reason": "x"})
        assert response.status_code == 403
        assert client_for().post(f"/api/v1/verdicts/{verdict.pk}/retract/", {"reason": "x"}).status_code == 401
        hidden = newsroom["draft"]
        assert client_for(researcher).post(f"/api/v1/verdicts/{hidden.pk}/submit/").status_code == 404
        assert Verdict.objects.get(pk=verdict.pk).status == Verdict.Status.PUBLISHED

    def test_the_rating_scale_is_public_and_read_only(self, public_client, editor):
        response = public_client.get("/api/v1/ratings/")
        assert [rating["slug"] for rating in response.json()] == list(Rating.objects.values_list("slug", flat=True))
        assert client_for(editor).post("/api/v1/ratings/", {"label": "Meh"}, format="json").status_code == 405


class TestTheNewsroom:
    @pytest.mark.parametrize("endpoint", ENDPOINTS)
    def test_staff_see_everything(self, newsroom, staff_client, endpoint):
        model = ENDPOINTS[endpoint]
        assert ids(staff_client.get(f"/api/v1/{endpoint}/")) == set(model.objects.values_list("pk", flat=True))
        for pk in model.objects.values_list("pk", flat=True):
            assert staff_client.get(f"/api/v1/{endpoint}/{pk}/").status_code == 200

    def test_staff_read_internal_fields(self, newsroom, staff_client):
        claim = staff_client.get(f"/api/v1/claims/{newsroom['triage'].pk}/").json()
        assert claim["notes"] == "Internal note"
        verdict = staff_client.get(f"/api/v1/verdicts/{newsroom['draft'].pk}/").json()
        assert verdict["author"] == newsroom["draft"].author.username

    def test_a_speaker_recorded_without_slug_gets_the_one_intake_matches_on(self, staff_client):
        speaker = staff_client.post("/api/v1/speakers/", {"name": "Søren Kierkegaard"}, format="json")
        assert speaker.status_code == 201, speaker.content
        assert speaker.json()["slug"] == Speaker.slug_for("Søren Kierkegaard")

    def test_staff_record_speakers_sources_topics_and_claims(self, staff_client):
        speaker = staff_client.post("/api/v1/speakers/", {"name": "Ana Ruiz", "slug": "ana-ruiz"}, format="json")
        assert speaker.status_code == 201, speaker.content
        source = staff_client.post(
            "/api/v1/sources/",
            {"title": "Budget speech", "url": "https://gov.example/speech", "published_on": "2024-03-02"},
            format="json",
        )
        assert source.status_code == 201, source.content
        topic = staff_client.post("/api/v1/topics/", {"name": "Budget", "slug": "budget"}, format="json")
        claim = staff_client.post(
            "/api/v1/claims/",
            {
                "text": "Spending rose by 4 percent.",
                "speaker": speaker.json()["id"],
                "source": source.json()["id"],
                "claim_date": "2024-03-01",
                "topics": [topic.json()["id"]],
            },
            format="json",
        )
        assert claim.status_code == 201, claim.content
        assert claim.json()["speaker"]["name"] == "Ana Ruiz"
        assert claim.json()["topics"] == [{"id": topic.json()["id"], "name": "Budget", "slug": "budget"}]
        assert claim.json()["status"] == "new"
        assert claim["ETag"]
        stored = Claim.objects.get(pk=claim.json()["id"])
        assert stored.created_by is not None

    def test_evidence_is_added_by_reviewers_and_deleted_by_editors_only(self, newsroom, reviewer, editor):
        claim = newsroom["draft"].claim
        response = client_for(reviewer).post(
            "/api/v1/evidence/", {"claim": claim.pk, "title": "Census table", "url": "https://stats.example/t1"}
        )
        assert response.status_code == 201, response.content
        assert response.json()["added_by"] == reviewer.username
        evidence_id = response.json()["id"]
        assert client_for(reviewer).delete(f"/api/v1/evidence/{evidence_id}/").status_code == 403
        assert client_for(editor).delete(f"/api/v1/evidence/{evidence_id}/").status_code == 204
        assert not Evidence.objects.filter(pk=evidence_id).exists()

    @pytest.mark.parametrize("endpoint", ["claims", "verdicts", "speakers", "sources", "topics"])
    def test_nothing_but_evidence_is_deleted(self, newsroom, editor, endpoint):
        pk = ENDPOINTS[endpoint].objects.first().pk
        assert client_for(editor).delete(f"/api/v1/{endpoint}/{pk}/").status_code == 405

    def test_a_researcher_account_without_a_role_in_the_newsroom_sees_like_the_public(self, newsroom, outsider):
        assert ids(client_for(outsider).get("/api/v1/claims/")) == {newsroom["published"].claim_id}


class TestListsMatchDetails:
    @pytest.mark.parametrize("endpoint", ENDPOINTS)
    @pytest.mark.parametrize("persona", ["anonymous", "editor"])
    def test_a_list_shows_each_record_exactly_as_its_detail_does(self, newsroom, editor, endpoint, persona):
        # Lists are rendered from rows (claims/api/rendering.py), details from model instances.
        newsroom["published"].claim.topics.add(TopicFactory(name="Another topic"))
        Claim.objects.filter(pk=newsroom["published"].claim_id).update(first_appearance=newsroom["internal_source"])
        api = client_for(editor if persona == "editor" else None)
        listed = api.get(f"/api/v1/{endpoint}/").json()["results"]
        assert listed
        for row in listed:
            assert row == api.get(f"/api/v1/{endpoint}/{row['id']}/").json()


ROLES = ["anonymous", "researcher", "reviewer", "editor"]


def new_record(endpoint, newsroom, n):
    """A valid body to create a record at ``endpoint``."""
    claim = newsroom["draft"].claim
    return {
        "claims": {"text": f"Claim {n}.", "speaker": claim.speaker_id, "source": claim.source_id},
        "verdicts": {"claim": claim.pk, "headline": f"Draft {n}"},
        "evidence": {"claim": claim.pk, "title": f"Table {n}"},
        "speakers": {"name": f"Person {n}", "slug": f"person-{n}"},
        "sources": {"title": f"Report {n}"},
        "topics": {"name": f"Subject {n}", "slug": f"subject-{n}"},
        "ratings": {"label": f"Label {n}", "slug": f"label-{n}"},
    }[endpoint]


# What each role gets for each method: (list, public detail, hidden detail, create, update, delete).
EXPECTED = {
    "anonymous": (200, 200, 404, 401, 401, 401),
    "researcher": (200, 200, 404, 403, 403, 403),
    "reviewer": (200, 200, 200, 201, 200, 403),
    "editor": (200, 200, 200, 201, 200, 204),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "ratings"])
def test_every_endpoint_method_and_role(newsroom, reviewer, editor, researcher, role, endpoint):
    user = {"anonymous": None, "researcher": researcher, "reviewer": reviewer, "editor": editor}[role]
    api = client_for(user)
    model = ENDPOINTS.get(endpoint, Rating)
    public = model.objects.visible_to(AnonymousUser()).first()
    hidden = model.objects.exclude(pk__in=model.objects.visible_to(AnonymousUser())).first()
    if role == "reviewer" and endpoint == "verdicts":  # a reviewer edits only the drafts they wrote
        Verdict.objects.filter(pk=newsroom["draft"].pk).update(author=user)
        Claim.objects.filter(pk=newsroom["draft"].claim_id).update(assignee=user)
    listed, shown, concealed, created, updated, deleted = EXPECTED[role]
    if endpoint == "ratings":  # the scale is read-only for everyone, and all of it is public
        created = updated = deleted = 405
    elif endpoint != "evidence":  # only evidence is ever deleted
        deleted = 405
    editable = newsroom["draft"] if endpoint == "verdicts" else public
    if endpoint == "verdicts" and role == "researcher":
        editable = public  # a researcher cannot see the draft at all

    assert api.get(f"/api/v1/{endpoint}/").status_code == listed
    assert api.get(f"/api/v1/{endpoint}/{public.pk}/").status_code == shown
    if hidden is not None:
        assert api.get(f"/api/v1/{endpoint}/{hidden.pk}/").status_code == concealed
    assert api.post(f"/api/v1/{endpoint}/", new_record(endpoint, newsroom, 1)).status_code == created
    url = f"/api/v1/{endpoint}/{editable.pk}/"
    etag = api.get(url).get("ETag", '"none"')
    changes = {"verdicts": {"summary": "Changed."}, "claims": {"notes": "Changed."}}.get(endpoint, {})
    assert api.patch(url, changes, HTTP_IF_MATCH=etag).status_code == updated
    target = newsroom["draft_evidence"] if endpoint == "evidence" else editable
    assert api.delete(f"/api/v1/{endpoint}/{target.pk}/").status_code == deleted
