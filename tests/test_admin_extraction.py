"""The source list's "Propose claims from the stored text": candidates to tick, stored as new claims, for editors."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import Claim
from tests.factories import SourceFactory, UserFactory
from tests.test_admin import messages_of, run_action

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:claims_source_changelist")
SEED_TEXT = (Path(__file__).resolve().parent.parent / "seeds" / "newsweek-2019-07-05-pompeo-venezuela.txt").read_text()


@pytest.fixture
def article():
    return SourceFactory(
        title="Pompeo on Venezuela", publisher="Newsweek", published_on=datetime.date(2019, 7, 5), text=SEED_TEXT
    )


def propose(client, sources, **extra):
    return run_action(client, SOURCES, "propose_claims", sources, **extra)


def test_it_lists_the_candidates_with_speaker_date_and_score_to_tick(client, editor, article):
    client.force_login(editor)
    response = propose(client, [article])
    page = response.content.decode()
    assert response.templates[0].name == "admin/claims/source/propose_claims.html"
    assert page.count('type="checkbox" name="candidate"') == 20
    for shown in ["Sergei Ryabkov", "concerns maintenance of equipment delivered there", "5 July 2019", "March 2019"]:
        assert shown in page
    best = response.context["proposals"][0][1][0][1]
    assert f"{best.score:.2f}" in page


def test_it_stores_the_ticked_candidates_as_new_claims_once(client, editor, article):
    client.force_login(editor)
    candidates = propose(client, [article]).context["proposals"][0][1]
    ticked = [index for index, candidate in candidates if candidate.speaker == "Sergei Ryabkov"]
    chosen = {"apply": "1", "candidate": [f"{article.pk}:{index}" for index in ticked]}

    response = propose(client, [article], **chosen)
    assert messages_of(response) == ["Created 3 new claims."]
    claims = Claim.objects.filter(source=article)
    assert {claim.speaker.name for claim in claims} == {"Sergei Ryabkov"}
    assert all(claim.status == Claim.Status.NEW and claim.created_by == editor for claim in claims)
    assert all(claim.is_verbatim and claim.checkworthiness for claim in claims)

    again = propose(client, [article], **chosen)
    assert messages_of(again) == ["Created 0 new claims (3 were already recorded)."]
    assert Claim.objects.count() == 3


def test_it_says_which_sources_have_no_text_or_no_publisher(client, editor):
    client.force_login(editor)
    no_text = SourceFactory(title="Empty", text="")
    no_publisher = SourceFactory(title="Anonymous page", publisher="", text="Taxes rose by 4 percent in 2023.")
    response = propose(client, [no_text, no_publisher])
    assert messages_of(response) == [
        "“Empty (Example News)” has no stored text: no claims were proposed from it.",
        "“Anonymous page” has no publisher to speak its own voice: no claims were proposed from it.",
    ]
    assert response.templates[0].name != "admin/claims/source/propose_claims.html"


def test_it_is_offered_only_to_users_who_may_add_claims(client, article):
    clerk = UserFactory(username="cleo")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(clerk)
    assert "propose_claims" not in client.get(SOURCES).content.decode()
    propose(client, [article], apply="1", candidate=[f"{article.pk}:0"])
    assert not Claim.objects.exists()


def test_it_is_offered_to_editors_and_reviewers(client, editor, reviewer, article):
    for user in (editor, reviewer):
        client.force_login(user)
        assert "Propose claims from the stored text" in client.get(SOURCES).content.decode()
