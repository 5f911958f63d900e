"""The source list's "Add an article from its address": a page with the address (or a saved page) that stores the
article as a source and leads to the claims proposed from it; refusals keep the form filled in."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim, Source
from tests.factories import SourceFactory, UserFactory
from tests.page_server import Answer, article_page
from tests.test_admin import messages_of

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:claims_source_changelist")
INTAKE = reverse("admin:claims_source_intake")


@pytest.fixture
def article_url(page_server, local_pages):
    return page_server.serve("/2024/03/recycling", article_page())


def proposals_of(source) -> str:
    return reverse("admin:claims_source_proposals", args=[source.pk])


def test_the_source_list_offers_it_to_those_who_may_add_sources(client, reviewer):
    client.force_login(reviewer)
    assert f'href="{INTAKE}"' in client.get(SOURCES).content.decode()
    assert client.get(INTAKE).status_code == 200
    clerk = UserFactory(username="cleo")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(clerk)
    assert INTAKE not in client.get(SOURCES).content.decode()
    assert client.get(INTAKE).status_code == 403
    assert client.post(INTAKE, {"url": "https://gazette.example/a"}).status_code == 403


def test_an_address_becomes_a_source_and_leads_to_its_claims(client, editor, article_url):
    client.force_login(editor)
    response = client.post(INTAKE, {"url": article_url})
    source = Source.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposals_of(source)
    assert (source.title, source.url, source.history.get().history_user) == (
        "Council doubles the city's recycling budget",
        article_url,
        editor,
    )

    page = client.get(response["Location"])
    assert messages_of(page) == [f"Added “{source}” as a new source."]
    assert page.templates[0].name == "admin/claims/source/propose_claims.html"
    html = page.content.decode()
    assert f'action="{SOURCES}"' in html
    assert reverse("admin:claims_source_change", args=[source.pk]) in html
    candidates = page.context["proposals"][0][1]
    kept = [index for index, candidate in candidates if candidate.speaker == "Tom Price"]
    assert kept

    ticked = {"action": "propose_claims", "_selected_action": [source.pk], "apply": "1"}
    done = client.post(SOURCES, {**ticked, "candidate": [f"{source.pk}:{index}" for index in kept]}, follow=True)
    assert messages_of(done) == [f"Created {len(kept)} new claim{'' if len(kept) == 1 else 's'}."]
    assert {claim.speaker.name for claim in Claim.objects.filter(source=source)} == {"Tom Price"}


def test_an_address_already_recorded_leads_to_that_source(client, reviewer, article_url, page_server):
    recorded = SourceFactory(url=article_url, text="Taxes rose by 4 percent in 2023, the minister said.")
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": article_url}, follow=True)
    assert response.redirect_chain[0][0] == proposals_of(recorded)
    assert messages_of(response) == [f"“{recorded}” was already recorded: nothing was added."]
    assert Source.objects.count() == 1
    assert page_server.requests == []


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Answer("<p>Gone</p>", status=404), "answered 404 Not Found"),
        (Answer(b"%PDF-1.7", content_type="application/pdf"), "is application/pdf, not an HTML page"),
        (Answer(article_page(paragraphs=0)), "fewer than the 50 of an article"),
    ],
)
def test_a_refusal_is_shown_with_the_form_still_filled_in(client, reviewer, page_server, local_pages, answer, said):
    url = page_server.serve("/page", answer)
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": url, "published_on": "2024-03-04"})
    assert response.status_code == 200
    assert said in str(response.context["form"].errors["url"])
    html = response.content.decode()
    assert said in html
    assert f'value="{url}"' in html
    assert 'value="2024-03-04"' in html
    assert not Source.objects.exists()


def test_a_refused_address_is_explained(client, reviewer):
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": "http://169.254.169.254/latest/meta-data/"})
    assert "a cloud metadata service&#x27;s address" in response.content.decode()
    empty = client.post(INTAKE, {})
    assert "Give the article&#x27;s address or its saved page." in empty.content.decode()


def test_a_page_without_a_date_asks_for_it_then_takes_it(client, reviewer, page_server, local_pages):
    url = page_server.serve("/undated", article_page(published=None))
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": url})
    assert "states no publication date" in str(response.context["form"].errors["published_on"])
    assert f'value="{url}"' in response.content.decode()
    assert client.post(INTAKE, {"url": url, "published_on": "2024-03-04"}).status_code == 302
    assert str(Source.objects.get().published_on) == "2024-03-04"


def test_a_saved_page_can_be_uploaded(client, editor):
    client.force_login(editor)
    saved = SimpleUploadedFile("story.html", article_page(canonical="https://gazette.example/story").encode())
    response = client.post(INTAKE, {"page": saved})
    source = Source.objects.get()
    assert response["Location"] == proposals_of(source)
    assert source.url == "https://gazette.example/story"
    not_html = client.post(INTAKE, {"page": SimpleUploadedFile("empty.html", b" ")})
    assert not_html.status_code == 200
    assert "Choose the file again" in str(not_html.context["form"].errors["page"])


def test_the_source_page_links_to_its_proposed_claims(client, editor):
    source = SourceFactory(text="Unemployment fell to 3.1 percent in May, the ministry said on Friday.")
    client.force_login(editor)
    page = client.get(reverse("admin:claims_source_change", args=[source.pk])).content.decode()
    assert proposals_of(source) in page
    empty = SourceFactory(text="")
    response = client.get(proposals_of(empty), follow=True)
    assert messages_of(response) == [f"“{empty}” has no stored text: no claims were proposed from it."]
