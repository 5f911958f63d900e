"""Jobs through the API: ``/api/v1/jobs/`` shows callers their own (editors everyone's), and a large export
answers 202 with its job, whose signed link downloads the file once it is written and stops when it expires or
was tampered with."""

import json
import time

import pytest
from django.core import signing
from django.core.files.storage import default_storage

from claims.jobs.exports import download_token
from claims.models import Job, JobKind, JobState
from tests.api import client_for, error_fields
from tests.factories import VerdictFactory
from tests.test_exports import EXPORTS, csv_rows, download

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs/"


def started(kind=JobKind.SEND_MAIL, user=None, **fields) -> Job:
    job, _ = Job.objects.start(kind, user=user)
    Job.objects.filter(pk=job.pk).update(**fields)
    return Job.objects.get(pk=job.pk)


class TestJobList:
    def test_callers_see_their_own_jobs_and_editors_everyones(self, editor, reviewer, researcher):
        mine = started(user=reviewer)
        theirs = started(user=researcher)
        nobodys = started(kind=JobKind.EXPORT_VERDICTS)
        for user, expected in ((reviewer, [mine]), (researcher, [theirs]), (editor, [nobodys, theirs, mine])):
            response = client_for(user).get(JOBS)
            assert response.status_code == 200, response.content
            assert [row["id"] for row in response.json()["results"]] == [job.pk for job in expected]
        assert client_for(reviewer).get(f"{JOBS}{theirs.pk}/").status_code == 404
        assert client_for(editor).get(f"{JOBS}{theirs.pk}/").json()["started_by"] == researcher.username

    def test_anonymous_callers_have_no_jobs_to_see(self):
        job = started()
        for path in (JOBS, f"{JOBS}{job.pk}/"):
            response = client_for().get(path)
            assert response.status_code == 401
            assert error_fields(response) == {None}

    def test_a_job_shows_how_far_it_got_and_why_it_waits(self, reviewer):
        job = started(
            user=reviewer,
            state=JobState.RETRYING,
            done=40,
            total=100,
            attempts=1,
            error="The database could not be reached. Trying again in 5 seconds.",
            error_code="retrying",
        )
        body = client_for(reviewer).get(f"{JOBS}{job.pk}/").json()
        assert {key: body[key] for key in ("kind", "state", "done", "total", "attempts", "error", "result")} == {
            "kind": "send_mail",
            "state": "retrying",
            "done": 40,
            "total": 100,
            "attempts": 1,
            "error": {"code": "retrying", "message": "The database could not be reached. Trying again in 5 seconds."},
            "result": {},
        }

    def test_the_list_takes_the_same_queries_however_many_jobs(self, editor, reviewer, django_assert_num_queries):
        started(user=reviewer)
        client = client_for(editor)
        client.get(JOBS)  # the editor's permissions, read once
        with django_assert_num_queries(2):  # the count, and the page with who started each job
            client.get(JOBS)
        for _ in range(10):
            started(user=reviewer, state=JobState.RUNNING, attempts=1, lease_expires_at="2030-01-01T00:00:00Z")
        with django_assert_num_queries(2):
            assert len(client.get(JOBS).json()["results"]) == 11


@pytest.fixture
def three_published(db, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    return [VerdictFactory(published=True) for _ in range(3)]


class TestLargeExports:
    def test_a_small_selection_still_streams(self, three_published, settings):
        settings.EXPORT_INLINE_MAX_ROWS = 3
        assert len(csv_rows(download(EXPORTS["csv"]))) == 3
        assert not Job.objects.exists()

    def test_a_large_one_is_written_by_a_job_and_downloaded_from_its_link(
        self, three_published, researcher, run_jobs, settings
    ):
        settings.EXPORT_INLINE_MAX_ROWS = 100
        streamed = download(EXPORTS["csv"])
        settings.EXPORT_INLINE_MAX_ROWS = 2
        client = client_for(researcher)
        with run_jobs():
            response = client.get(EXPORTS["csv"])
            assert response.status_code == 202, response.content
            assert response["Retry-After"] == "5"
        job = Job.objects.get()
        assert response["Location"] == f"http://testserver{JOBS}{job.pk}/"
        body = client.get(response["Location"]).json()
        assert (body["kind"], body["state"], body["done"], body["total"]) == ("export_verdicts", "succeeded", 3, 3)
        assert set(body["result"]) == {"filename", "media_type", "rows", "download"}  # not where it is stored
        assert body["result"]["rows"] == 3
        file = client_for().get(body["result"]["download"])  # the link is the permission
        assert file.status_code == 200
        assert file["Content-Disposition"] == 'attachment; filename="verdicts.csv"'
        assert file["Content-Type"] == "text/csv; charset=utf-8"
        assert b"".join(file.streaming_content) == streamed

    def test_the_job_chooses_for_whoever_asked(self, db, editor, run_jobs, settings):
        settings.EXPORT_INLINE_MAX_ROWS = 1
        published = [VerdictFactory(published=True), VerdictFactory(published=True)]
        drafts = [VerdictFactory(), VerdictFactory()]
        with run_jobs():
            staff = client_for(editor).get(EXPORTS["json"], {"status": "draft"}).json()
            public = client_for().get(EXPORTS["json"], {"status": ["draft", "published"]}).json()
        assert sorted(row["verdict_id"] for row in _json(client_for().get(staff["result"]["download"]))) == sorted(
            draft.pk for draft in drafts
        )
        assert sorted(row["verdict_id"] for row in _json(client_for().get(public["result"]["download"]))) == sorted(
            verdict.pk for verdict in published
        )

    def test_an_anonymous_callers_large_export_has_no_job_address_but_a_link(self, three_published, run_jobs):
        with run_jobs():
            response = client_for().get(EXPORTS["claimreview"])
        assert response.status_code == 202
        assert "Location" not in response
        assert response.json()["url"] is None
        assert len(_json(client_for().get(response.json()["result"]["download"]))) == 3

    def test_a_link_answers_202_until_the_file_is_ready(self, three_published):
        job = started(kind=JobKind.EXPORT_VERDICTS, state=JobState.RUNNING, attempts=1, done=1, total=3,
                      lease_expires_at="2030-01-01T00:00:00Z")  # fmt: skip
        response = client_for().get(f"/api/v1/exports/download/{download_token(job)}/")
        assert response.status_code == 202
        assert response["Retry-After"] == "5"
        assert (response.json()["state"], response.json()["done"]) == ("running", 1)

    def test_a_link_to_an_export_that_failed_or_was_deleted_is_gone(self, three_published, run_jobs):
        failed = started(kind=JobKind.EXPORT_VERDICTS, state=JobState.FAILED, error="The database could not be "
                         "reached. It was tried 6 times.", finished_at="2024-01-01T00:00:00Z")  # fmt: skip
        response = client_for().get(f"/api/v1/exports/download/{download_token(failed)}/")
        assert response.status_code == 410
        said = "The export failed: The database could not be reached. It was tried 6 times."
        assert response.json()["detail"] == said
        with run_jobs():
            link = client_for().get(EXPORTS["csv"]).json()["result"]["download"]
        job = Job.objects.get(state=JobState.SUCCEEDED)
        default_storage.delete(job.result["file"])
        deleted = client_for().get(link)
        assert (deleted.status_code, deleted.json()["detail"]) == (
            410,
            "This export's file was deleted: ask for the export again.",
        )
        job.delete()
        assert client_for().get(link).json()["detail"] == "This export was deleted: ask for it again."

    def test_an_expired_link_is_refused(self, three_published, run_jobs, settings, monkeypatch):
        settings.EXPORT_LINK_MAX_AGE = 3600
        with run_jobs():
            client_for().get(EXPORTS["csv"])
        job = Job.objects.get()
        given = time.time()
        monkeypatch.setattr(signing.time, "time", lambda: given - 3601)  # the link was given an hour ago and more
        link = f"/api/v1/exports/download/{download_token(job)}/"
        monkeypatch.setattr(signing.time, "time", lambda: given)
        response = client_for().get(link)
        assert response.status_code == 410
        assert error_fields(response) == {None}
        assert response.json()["detail"] == "This download link has expired: ask for the export again."
        monkeypatch.setattr(signing.time, "time", lambda: given - 3500)
        fresh_link = f"/api/v1/exports/download/{download_token(job)}/"
        monkeypatch.setattr(signing.time, "time", lambda: given)
        assert client_for().get(fresh_link).status_code == 200

    @pytest.mark.parametrize(
        "tamper",
        [
            pytest.param(lambda token, job: token[:-1] + ("A" if token[-1] != "A" else "B"), id="signature changed"),
            pytest.param(
                lambda token, job: (
                    signing.dumps(job.pk + 1, salt="claims.jobs.exports.download").split(":")[0]
                    + token[token.index(":") :]
                ),
                id="another job's id with this signature",
            ),
            pytest.param(lambda token, job: signing.dumps(job.pk, salt="another purpose"), id="signed for another use"),
            pytest.param(lambda token, job: "not-a-link", id="made up"),
        ],
    )
    def test_a_tampered_link_is_refused(self, three_published, run_jobs, tamper):
        with run_jobs():
            client_for().get(EXPORTS["csv"])
            client_for().get(EXPORTS["json"])  # another export: a link must not lead to it
        job = Job.objects.order_by("pk").first()
        response = client_for().get(f"/api/v1/exports/download/{tamper(download_token(job), job)}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "This is not a valid download link."


def _json(response):
    assert response.status_code == 200, getattr(response, "content", b"")
    return json.loads(b"".join(response.streaming_content))
