"""Helpers for API tests: a client for each persona, row counts, and what an answer holds."""

from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Source, Speaker, Topic, Verdict

MODELS = (Claim, Verdict, Evidence, Speaker, Source, Topic)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def error_fields(response) -> set:
    body = response.json()
    assert body["status"] == response.status_code
    assert body["detail"] == body["errors"][0]["message"]
    return {error["field"] for error in body["errors"]}
