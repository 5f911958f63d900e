"""``POST /api/v1/sources/intake/``: an article from its address to a source, for reviewers and editors. An address
is fetched by a job (202), which says how it ended; a saved page is read at once; refusals of the input come in
the API's error shape naming the field. Pages come from a real server on 127.0.0.1."""

import pytest

from claims.models import Job, Source
from tests.api import client_for, error_fields, row_counts
from tests.factories import SourceFactory
from tests.page_server import Answer, article_page

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/sources/intake/"


@pytest.fixture
def article_url(page_server, local_pages):
    return page_server.serve("/2024/03/recycling", article_page())


def errors(response) -> list[dict]:
    error_fields(response)  # the one error shape
    return response.json()["errors"]


def test_a_reviewer_adds_an_article_by_its_address_through_a_job(reviewer, article_url, run_jobs):
    client = client_for(reviewer)
    with run_jobs():
        response = client.post(INTAKE, {"url": article_url})
        assert response.status_code == 202, response.content
        assert response.json()["state"] == "queued"  # answered before the page is fetched
    job = Job.objects.get()
    assert response["Location"] == response.json()["url"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    done = client.get(response["Location"]).json()
    source = Source.objects.get()
    assert (done["kind"], done["state"], done["started_by"], done["error"]) == (
        "intake_article",
        "succeeded",
        reviewer.username,
        None,
    )
    assert done["result"] == {
        "source": {"id": source.pk, "url": f"http://testserver/api/v1/sources/{source.pk}/"},
        "created": True,
    }
    body = client.get(done["result"]["source"]["url"]).json()
    assert {key: body[key] for key in ("url", "title", "publisher", "author", "published_on", "kind", "language")} == {
        "url": article_url,
        "title": "Council doubles the city's recycling budget",
        "publisher": "The Example Gazette",
        "author": "Jane Reporter",
        "published_on": "2024-03-05",
        "kind": "news_article",
        "language": "en",
    }
    assert "Mayor Ana Flores said" in body["text"]
    assert source.history.get().history_user == reviewer


def test_an_address_already_recorded_answers_200_with_its_source_at_once(editor, article_url, page_server):
    recorded = SourceFactory(url=article_url)
    response = client_for(editor).post(INTAKE, {"url": f"{article_url}#comments"})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == recorded.pk
    assert page_server.requests == []
    assert Source.objects.count() == 1
    assert not Job.objects.exists()


def test_a_saved_page_and_a_given_date_are_taken(editor):
    html = article_page(published=None, canonical="https://gazette.example/story")
    response = client_for(editor).post(INTAKE, {"html": html, "published_on": "2024-03-04"})
    assert response.status_code == 201, response.content
    assert (response.json()["url"], response.json()["published_on"]) == ("https://gazette.example/story", "2024-03-04")


@pytest.mark.parametrize(
    ("body", "field", "said"),
    [
        ({}, "url", "Give the article's address (url) or its saved page (html)."),
        ({"url": "", "html": ""}, "url", "Give the article's address (url) or its saved page (html)."),
        ({"url": 42}, "url", "Expected a string, not an integer."),
        ({"url": "https://gazette.example/a", "published_on": "5 March"}, "published_on", "Date has wrong format"),
        ({"url": "ftp://gazette.example/a"}, "url", "uses the ftp: scheme"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url", "a cloud metadata service's address"),
        ({"url": "http://192.168.1.1/admin"}, "url", "is at 192.168.1.1, a private address"),
    ],
)
def test_bad_input_is_refused_with_400_naming_the_field(reviewer, body, field, said):
    before = row_counts()
    response = client_for(reviewer).post(INTAKE, body)
    assert response.status_code == 400, response.content
    [error] = errors(response)
    assert error["field"] == field
    assert said in error["message"]
    assert row_counts() == before
    assert not Job.objects.exists()


def failed_job(client, response) -> dict:
    assert response.status_code == 202, response.content
    job = client.get(response["Location"]).json()
    assert job["state"] == "failed"
    assert not Source.objects.exists()
    return job


@pytest.mark.parametrize(
    ("answer", "code", "said", "attempts"),
    [
        (Answer("<p>Gone</p>", status=404), "http_status", "answered 404 Not Found", 1),
        (Answer(b"%PDF-1.7", content_type="application/pdf"), "not_html", "is application/pdf, not an HTML page", 1),
        # A site that does not answer in time may answer later: tried again, then given up, saying how often.
        (Answer(article_page(), delay=5), "timeout", "did not answer within 1 seconds. It was tried 2 times.", 2),
    ],
)
def test_a_page_the_site_does_not_give_fails_the_job_saying_why(
    reviewer, page_server, local_pages, run_jobs, answer, code, said, attempts
):
    local_pages.INTAKE_FETCH_TIMEOUT = 1
    local_pages.JOB_MAX_RETRIES = 1
    url = page_server.serve("/page", answer)
    client = client_for(reviewer)
    with run_jobs():
        response = client.post(INTAKE, {"url": url})
    job = failed_job(client, response)
    assert job["error"]["code"] == code
    assert said in job["error"]["message"]
    assert job["attempts"] == attempts


def test_a_page_that_is_not_an_article_or_has_no_date_fails_the_job(reviewer, page_server, local_pages, run_jobs):
    client = client_for(reviewer)
    with run_jobs():
        short = client.post(INTAKE, {"url": page_server.serve("/front", article_page(paragraphs=0))})
        undated = client.post(INTAKE, {"url": page_server.serve("/undated", article_page(published=None))})
    assert failed_job(client, short)["error"]["code"] == "not_an_article"
    error = failed_job(client, undated)["error"]
    assert error["code"] == "no_publication_date"
    assert "states no publication date: give the date it was published to add it." in error["message"]


def test_a_saved_page_that_is_not_an_article_is_a_422(reviewer):
    response = client_for(reviewer).post(INTAKE, {"html": article_page(paragraphs=0)})
    assert response.status_code == 422, response.content
    assert [(error["field"], error["code"]) for error in errors(response)] == [("html", "not_an_article")]
    assert not Source.objects.exists()


def test_only_roles_that_may_add_sources_may_add_articles(researcher, outsider, article_url, page_server):
    assert client_for().post(INTAKE, {"url": article_url}).status_code == 401
    for user in (researcher, outsider):
        response = client_for(user).post(INTAKE, {"url": article_url})
        assert response.status_code == 403, response.content
        assert error_fields(response) == {None}
    assert page_server.requests == []
    assert not Source.objects.exists()
    assert not Job.objects.exists()


def test_the_schema_documents_the_intake(client):
    operation = client.get("/api/schema/?format=json").json()["paths"]["/api/v1/sources/intake/"]["post"]
    assert {"200", "201", "202", "400", "403", "422"} <= set(operation["responses"])
    assert operation["operationId"] == "sources_intake"
