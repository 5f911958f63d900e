"""The source list's "Add an article from its address": an address is fetched by a job, whose page leads to the
source and the claims proposed from it, or says why not and offers to try again; a saved page is stored at once, and
its refusals keep the form filled in."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from claims.models import Claim, Job, Source
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


def job_page(job) -> str:
    return reverse("admin:claims_job_change", args=[job.pk])


def test_an_address_is_fetched_by_a_job_whose_page_leads_to_the_source_and_its_claims(
    client, editor, article_url, run_jobs
):
    client.force_login(editor)
    with run_jobs():
        response = client.post(INTAKE, {"url": article_url})
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == job_page(job)
        waiting = client.get(response["Location"]).content.decode()
        assert '<meta http-equiv="refresh" content="3">' in waiting  # reloaded until the job ends
        assert "Fetching the page…" in waiting
    source = Source.objects.get()
    assert (source.title, source.url, source.history.get().history_user) == (
        "Council doubles the city's recycling budget",
        article_url,
        editor,
    )

    page = client.get(job_page(job)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert escape(f"Added “{source}” as a new source.") in page
    assert f'href="{reverse("admin:claims_source_change", args=[source.pk])}"' in page
    assert f'href="{proposals_of(source)}"' in page

    proposals = client.get(proposals_of(source))
    assert proposals.templates[0].name == "admin/claims/source/propose_claims.html"
    assert f'action="{SOURCES}"' in proposals.content.decode()
    candidates = proposals.context["proposals"][0][1]
    kept = [index for index, candidate in candidates if candidate.speaker == "Tom Price"]
    assert kept

    ticked = {"action": "propose_claims", "_selected_action": [source.pk], "apply": "1"}
    done = client.post(SOURCES, {**ticked, "candidate": [f"{source.pk}:{index}" for index in kept]}, follow=True)
    assert messages_of(done) == [f"Created {len(kept)} new claim{'' if len(kept) == 1 else 's'}."]
    assert {claim.speaker.name for claim in Claim.objects.filter(source=source)} == {"Tom Price"}


def test_an_address_already_recorded_leads_to_that_source_at_once(client, reviewer, article_url, page_server):
    recorded = SourceFactory(url=article_url, text="Taxes rose by 4 percent in 2023, the minister said.")
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": article_url}, follow=True)
    assert response.redirect_chain[0][0] == proposals_of(recorded)
    assert messages_of(response) == [f"“{recorded}” was already recorded: nothing was added."]
    assert Source.objects.count() == 1
    assert page_server.requests == []
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Answer("<p>Gone</p>", status=404), "answered 404 Not Found"),
        (Answer(b"%PDF-1.7", content_type="application/pdf"), "is application/pdf, not an HTML page"),
        (Answer(article_page(paragraphs=0)), "fewer than the 50 of an article"),
    ],
)
def test_a_refusal_is_shown_on_the_job_which_offers_to_try_again_as_it_was(
    client, reviewer, page_server, local_pages, run_jobs, answer, said
):
    url = page_server.serve("/page", answer)
    client.force_login(reviewer)
    with run_jobs():
        client.post(INTAKE, {"url": url, "published_on": "2024-03-04"})
    job = Job.objects.get()
    page = client.get(job_page(job))
    html = page.content.decode()
    assert said in html
    again = f"{INTAKE}?{urlencode({'url': url, 'published_on': '2024-03-04'})}"
    assert f'href="{escape(again)}">Try again</a>' in html
    form = client.get(again).content.decode()
    assert f'value="{url}"' in form
    assert 'value="2024-03-04"' in form
    assert not Source.objects.exists()


def test_a_refused_address_is_explained(client, reviewer):
    client.force_login(reviewer)
    response = client.post(INTAKE, {"url": "http://169.254.169.254/latest/meta-data/"})
    assert "a cloud metadata service&#x27;s address" in response.content.decode()
    empty = client.post(INTAKE, {})
    assert "Give the article&#x27;s address or its saved page." in empty.content.decode()


def test_a_page_without_a_date_asks_for_it_then_takes_it(client, reviewer, page_server, local_pages, run_jobs):
    url = page_server.serve("/undated", article_page(published=None))
    client.force_login(reviewer)
    with run_jobs():
        client.post(INTAKE, {"url": url})
    failed = Job.objects.get()
    assert "states no publication date: give the date it was published to add it." in failed.error
    with run_jobs():
        client.post(INTAKE, {"url": url, "published_on": "2024-03-04"})
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
