"""``POST /api/v1/sources/intake/``: an article from its address to a source, for reviewers and editors, with
refusals in the API's error shape naming the field. Pages come from a real server on 127.0.0.1."""

import pytest

from claims.models import Source
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


def test_a_reviewer_adds_an_article_by_its_address(reviewer, article_url):
    response = client_for(reviewer).post(INTAKE, {"url": article_url})
    assert response.status_code == 201, response.content
    body = response.json()
    source = Source.objects.get()
    assert body["id"] == source.pk
    assert response["ETag"]
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


def test_an_address_already_recorded_answers_200_with_its_source(editor, article_url, page_server):
    recorded = SourceFactory(url=article_url)
    response = client_for(editor).post(INTAKE, {"url": article_url})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == recorded.pk
    assert page_server.requests == []
    assert Source.objects.count() == 1


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


@pytest.mark.parametrize(
    ("answer", "code", "said"),
    [
        (Answer("<p>Gone</p>", status=404), "http_status", "answered 404 Not Found"),
        (Answer(b"%PDF-1.7", content_type="application/pdf"), "not_html", "is application/pdf, not an HTML page"),
        (Answer(article_page(), delay=5), "timeout", "did not answer within"),
    ],
)
def test_a_page_the_site_does_not_give_is_a_502(reviewer, page_server, local_pages, answer, code, said):
    local_pages.INTAKE_FETCH_TIMEOUT = 1
    url = page_server.serve("/page", answer)
    response = client_for(reviewer).post(INTAKE, {"url": url})
    assert response.status_code == 502, response.content
    assert errors(response) == [{"field": "url", "code": code, "message": errors(response)[0]["message"]}]
    assert said in response.json()["detail"]
    assert not Source.objects.exists()


def test_a_page_that_is_not_an_article_or_has_no_date_is_a_422(reviewer, page_server, local_pages):
    short = client_for(reviewer).post(INTAKE, {"url": page_server.serve("/front", article_page(paragraphs=0))})
    assert short.status_code == 422, short.content
    assert [(error["field"], error["code"]) for error in errors(short)] == [("url", "not_an_article")]
    undated = client_for(reviewer).post(INTAKE, {"url": page_server.serve("/undated", article_page(published=None))})
    assert undated.status_code == 422, undated.content
    assert [(error["field"], error["code"]) for error in errors(undated)] == [("published_on", "no_publication_date")]
    assert not Source.objects.exists()


def test_only_roles_that_may_add_sources_may_add_articles(researcher, outsider, article_url, page_server):
    assert client_for().post(INTAKE, {"url": article_url}).status_code == 401
    for user in (researcher, outsider):
        response = client_for(user).post(INTAKE, {"url": article_url})
        assert response.status_code == 403, response.content
        assert error_fields(response) == {None}
    assert page_server.requests == []
    assert not Source.objects.exists()


def test_the_schema_documents_the_intake(client):
    operation = client.get("/api/schema/?format=json").json()["paths"]["/api/v1/sources/intake/"]["post"]
    assert {"200", "201", "400", "403", "422", "502"} <= set(operation["responses"])
    assert operation["operationId"] == "sources_intake"
