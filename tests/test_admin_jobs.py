"""Jobs in the admin: "My jobs" from every page, each job's read-only page (editors see everyone's), and the verdict
list's "Import ClaimReview", whose upload becomes a job that says what it imported and skipped."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from claims.models import Job, JobKind, JobState, Verdict
from tests.factories import VerdictFactory
from tests.test_admin import messages_of
from tests.test_import_claimreview import review

pytestmark = pytest.mark.django_db

JOBS = reverse("admin:claims_job_changelist")
MY_JOBS = f"{JOBS}?mine=yes"
VERDICTS = reverse("admin:claims_verdict_changelist")
IMPORT = reverse("admin:claims_verdict_import")


def job_page(job) -> str:
    return reverse("admin:claims_job_change", args=[job.pk])


def started(user=None, kind=JobKind.SEND_MAIL, **fields) -> Job:
    job, _ = Job.objects.start(kind, user=user, arguments={"to": ["a@example.org"]})
    Job.objects.filter(pk=job.pk).update(**fields)
    return Job.objects.get(pk=job.pk)


def listed(response) -> list[int]:
    return [job.pk for job in response.context["cl"].result_list]


def upload(name: str, records) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(records).encode(), content_type="application/json")


class TestMyJobs:
    def test_every_page_leads_to_my_jobs(self, client, reviewer):
        client.force_login(reviewer)
        assert f'href="{MY_JOBS}">My jobs</a>' in client.get(reverse("admin:index")).content.decode()

    def test_each_sees_the_jobs_they_started_and_editors_everyones(self, client, editor, reviewer):
        mine = started(reviewer)
        editors = started(editor)
        client.force_login(reviewer)
        assert listed(client.get(JOBS)) == listed(client.get(MY_JOBS)) == [mine.pk]
        assert client.get(job_page(mine)).status_code == 200
        others = client.get(job_page(editors), follow=True)
        assert others.redirect_chain[-1][0] == reverse("admin:index")  # as if it did not exist
        client.force_login(editor)
        assert listed(client.get(JOBS)) == [editors.pk, mine.pk]
        assert listed(client.get(MY_JOBS)) == [editors.pk]
        assert client.get(job_page(mine)).status_code == 200

    def test_jobs_are_read_only(self, client, editor):
        job = started(editor)
        client.force_login(editor)
        page = client.get(job_page(job)).content.decode()
        assert 'name="_save"' not in page
        assert client.post(job_page(job), {"state": "succeeded"}).status_code == 403
        assert client.get(reverse("admin:claims_job_add")).status_code == 403
        assert client.get(reverse("admin:claims_job_delete", args=[job.pk])).status_code == 403
        assert Job.objects.get().state == JobState.QUEUED

    def test_people_outside_the_newsroom_staff_see_no_jobs(self, client, researcher):
        started(researcher)
        client.force_login(researcher)
        assert client.get(JOBS).status_code == 302  # to the admin's login

    def test_the_list_takes_the_same_queries_however_many_jobs(
        self, client, editor, django_assert_max_num_queries, django_assert_num_queries
    ):
        started(editor)
        client.force_login(editor)
        client.get(JOBS)
        with django_assert_max_num_queries(20) as few:
            client.get(JOBS)
        for _ in range(15):
            started(
                editor,
                state=JobState.FAILED,
                error="The database could not be reached.",
                finished_at="2024-01-01T00:00Z",
            )
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(listed(client.get(JOBS))) == 16

    def test_a_job_page_says_how_far_it_got_and_reloads_until_it_ends(self, client, editor):
        running = started(
            editor, state=JobState.RUNNING, attempts=1, done=30, total=120, lease_expires_at="2030-01-01T00:00Z"
        )
        failed = started(
            editor, state=JobState.FAILED, error="The mail server refused the message.", finished_at="2024-01-01T00:00Z"
        )
        client.force_login(editor)
        page = client.get(job_page(running)).content.decode()
        assert '<progress value="30" max="120"></progress> 30 of 120' in page
        assert '<meta http-equiv="refresh" content="3">' in page
        page = client.get(job_page(failed)).content.decode()
        assert "The mail server refused the message." in page
        assert 'http-equiv="refresh"' not in page


class TestImportUpload:
    def test_the_verdict_list_offers_it_to_those_who_may_publish(self, client, editor, reviewer):
        client.force_login(editor)
        assert f'href="{IMPORT}"' in client.get(VERDICTS).content.decode()
        assert client.get(IMPORT).status_code == 200
        client.force_login(reviewer)  # an import publishes what it stores: reviewers do not
        assert IMPORT not in client.get(VERDICTS).content.decode()
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"files": [upload("a.json", [review(1)])]}).status_code == 403
        assert not Job.objects.exists()

    def test_the_files_are_imported_by_a_job_that_says_what_it_did(self, client, editor, run_jobs):
        client.force_login(editor)
        files = [
            upload("a.json", [review(1), review(2, url="/fact-checks/2")]),
            upload("b.json", [review(1), {"@type": "ClaimReview"}]),
        ]
        with run_jobs():
            response = client.post(IMPORT, {"files": files, "base_url": "https://checker.example/"})
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == job_page(job)
        page = client.get(job_page(job))
        assert messages_of(page) == ["Importing a.json, b.json: this page shows how far it got."]
        html = page.content.decode()
        assert "4 fact-checks read: 2 imported, 0 already imported, 2 skipped." in html
        assert "Claims they review: 2 new, 0 already recorded." in html
        assert "Skipped b.json: [0]: repeats the fact-check at a.json: [0]" in html
        assert escape("Skipped b.json: [1]: url is missing") in html
        assert sorted(Verdict.objects.values_list("url", flat=True)) == [
            "https://checker.example/fact-checks/1",
            "https://checker.example/fact-checks/2",  # resolved against where the files were read from
        ]
        assert job.started_by == editor

    @pytest.mark.parametrize(
        ("data", "field", "said"),
        [
            ({}, "files", "This field is required."),
            ({"base_url": "ftp://checker.example/"}, "base_url", "Enter a valid URL."),
        ],
    )
    def test_bad_input_is_shown_on_the_form(self, client, editor, data, field, said):
        client.force_login(editor)
        response = client.post(IMPORT, {"files": [upload("a.json", [review(1)])], **data} if field != "files" else data)
        assert response.status_code == 200
        assert said in response.context["form"].errors[field]
        assert not Job.objects.exists()

    def test_files_too_large_are_refused(self, client, editor, settings):
        settings.IMPORT_UPLOAD_MAX_BYTES = 100
        client.force_login(editor)
        response = client.post(IMPORT, {"files": [upload("a.json", [review(1), review(2)])]})
        [error] = response.context["form"].errors["files"]
        assert error.startswith("The files weigh ")
        assert error.endswith(", more than the 100 allowed.")
        assert not Job.objects.exists()


class TestExportJobPage:
    def test_a_finished_export_offers_its_download(self, client, editor, run_jobs, settings):
        settings.EXPORT_INLINE_MAX_ROWS = 1
        for _ in range(2):
            VerdictFactory(published=True)
        client.force_login(editor)
        with run_jobs():
            client.get("/api/v1/exports/verdicts.csv")
        job = Job.objects.get()
        page = client.get(job_page(job)).content.decode()
        assert "Download verdicts.csv</a> (2 verdicts). The link works for 24 hours" in page
        link = page.split('<a href="/api/v1/exports/download/')[1].split('"')[0]
        file = client.get(f"/api/v1/exports/download/{link}")
        assert file.status_code == 200
        assert b"".join(file.streaming_content).count(b"\n") == 3
