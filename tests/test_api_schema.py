"""The whole OpenAPI schema fuzzed by schemathesis, in-process, as an anonymous caller and as a reviewer.

Every operation is called with generated valid and invalid data; every answer must match what the
schema says (status codes, content types, headers, bodies) and no input may cause a server error.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from factcheck.wsgi import application
from tests.factories import EvidenceFactory, TopicFactory, UserFactory, VerdictFactory

# CI runs the same examples every time, so that a failure is the change's and reproducible;
# FUZZ_EXAMPLES=200 make test fuzzes deeper with fresh random examples.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ


@pytest.fixture
def keep_test_connection():
    """Calls straight into the WSGI app end with request_finished, which closes a connection that is
    inside a transaction; the test's own transaction must survive them, as Django's test client ensures."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, keep_test_connection):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the host schemathesis sends
    # Something of each kind to find, so that detail and write operations meet real records too.
    published = VerdictFactory(published=True)
    published.claim.topics.add(TopicFactory())
    EvidenceFactory(claim=published.claim)
    VerdictFactory()
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = schemathesis.pytest.from_fixture("api_schema")

FUZZ = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@schema.parametrize()
@FUZZ
def test_the_api_keeps_its_schema_for_anonymous_callers(case):
    case.call_and_validate()


@pytest.fixture
def reviewer_token(db):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=UserFactory(username="fuzzy", role="reviewer"))
    return token


@schema.parametrize()
@FUZZ
def test_the_api_keeps_its_schema_for_reviewers(case, reviewer_token):
    case.call_and_validate(headers={"Authorization": f"Token {reviewer_token}"})
