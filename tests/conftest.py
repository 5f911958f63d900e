"""Personas shared by the suite (two editors, a reviewer, a researcher, an outsider), a newsroom to look at, the
workflow that publishes a fact-check, and a terminal for commands to show progress on."""

import importlib
import ipaddress
import socket
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps

from claims import workflow
from claims.intake import pages
from claims.models import Claim, Verdict
from factcheck.celery import app as celery_app
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    TopicFactory,
    UserFactory,
    VerdictFactory,
    rating,
)
from tests.page_server import PageServer


@pytest.fixture
def editor(db):
    return UserFactory(username="edna", role="editor")


@pytest.fixture
def second_editor(db):
    return UserFactory(username="eli", role="editor")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rex", role="reviewer")


@pytest.fixture
def researcher(db):
    return UserFactory(username="rita", role="researcher")


@pytest.fixture
def outsider(db):
    return UserFactory(username="otto")


class Terminal(StringIO):
    def isatty(self):
        return True


@pytest.fixture
def terminal() -> Terminal:
    """A stderr that passes for a terminal: commands show progress only to people watching."""
    return Terminal()


@pytest.fixture
def data_migrations(transactional_db):
    """The rows that data migrations create (rating scale, roles), for tests on a flushed database.

    A transactional test ends with a flush, which removes these rows too. Serialized rollback
    cannot restore them reliably: once Playwright's event loop runs, the test thread gets a new
    database connection that lacks the serialized copy.
    """
    importlib.import_module("claims.migrations.0002_default_rating_scale").create_scale(apps, None)
    importlib.import_module("claims.migrations.0003_roles").create_roles(apps, None)
    published_record = importlib.import_module("claims.migrations.0011_published_record")
    published_record.write_the_methodology(apps, None)
    published_record.grant_roles_the_new_records(apps, None)


@pytest.fixture
def newsroom(db):
    """A published fact-check with evidence beside a draft, a claim in triage and what each points at."""
    published = VerdictFactory(published=True)
    published.claim.topics.add(TopicFactory(slug="public-topic"))
    draft = VerdictFactory(headline="Draft headline")
    draft.claim.topics.add(TopicFactory(slug="internal-topic"))
    triage = ClaimFactory(notes="Internal note")
    return {
        "published": published,
        "draft": draft,
        "triage": triage,
        "public_evidence": EvidenceFactory(claim=published.claim),
        "draft_evidence": EvidenceFactory(claim=draft.claim),
        "internal_source": SourceFactory(title="Unpublished source"),
    }


@pytest.fixture
def publish(editor, second_editor, reviewer):
    """Take a claim through the whole workflow to a published verdict, as the newsroom does."""

    def publish(claim: Claim, **fields) -> Verdict:
        workflow.claim_mark_checkworthy(claim=claim, user=editor)
        workflow.claim_assign(claim=claim, user=editor, assignee=reviewer)
        verdict = workflow.verdict_create(
            verdict=Verdict(
                claim=Claim.objects.get(pk=claim.pk),
                rating=rating("mostly-false"),
                headline="Russia's presence in Venezuela is small",
                summary="Russian military advisers number in the dozens, not thousands.",
                **fields,
            ),
            author=reviewer,
        )
        verdict = workflow.verdict_submit(verdict=verdict, user=reviewer)
        return workflow.verdict_publish(verdict=verdict, editor=second_editor)

    return publish


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """No test asks a name server: article intake resolves only addresses and localhost (from /etc/hosts)."""
    system = pages.resolve

    def resolve(host: str, port: int) -> list[str]:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost" and not host.replace(".", "").isdigit() and not host.startswith("0x"):
                raise socket.gaierror(socket.EAI_NONAME, f"{host}: no DNS in the tests") from None
        return system(host, port)

    monkeypatch.setattr(pages, "resolve", resolve)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """``with run_jobs():`` the jobs started inside run (in-process, as in development) when the block ends, as
    they would once the request's transaction commits: what the request answered, it answered before they ran."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@contextmanager
def celery_broker(url: str, **conf):
    """Jobs sent to the broker at ``url`` rather than run in-process, with Celery's ``conf`` besides."""
    changes = {"task_always_eager": False, "broker_url": url, **conf}
    saved = {name: celery_app.conf[name] for name in changes}
    celery_app.conf.update(changes)
    celery_app._pool = celery_app.amqp._producer_pool = None  # connections to the broker of before
    try:
        yield celery_app
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = celery_app.amqp._producer_pool = None
        celery_app.conf.update(saved)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's files (jobs' uploads and exports) in a folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def page_server():
    """A real HTTP server on 127.0.0.1 serving the pages a test declares (``tests/page_server.py``)."""
    with PageServer() as server:
        yield server


@pytest.fixture
def local_pages(settings):
    """Article intake may fetch from the tests' own server on 127.0.0.1, and nothing else that is not public."""
    settings.INTAKE_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1"]
    settings.INTAKE_FETCH_TIMEOUT = 3
    return settings
