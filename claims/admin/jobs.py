"""Background jobs in the admin (``claims.jobs``), read-only: everyone on the staff sees the jobs they started
("My jobs", linked from every page's header), editors everyone's. A job's page says how far it got and how it
ended, and leads on: to the source an article became and its proposed claims, to an import's summary, to an
export's download."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims.admin.saving import WrittenByTheApp
from claims.admin.sources import intake_said
from claims.jobs.exports import download_token
from claims.jobs.imports import summary_of
from claims.models import Job, JobKind, JobState, Source


class StartedByMe(admin.SimpleListFilter):
    title = "started by"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Me")]

    def queryset(self, request, queryset):
        return queryset.filter(started_by=request.user) if self.value() == "yes" else queryset


@admin.register(Job)
class JobAdmin(WrittenByTheApp, admin.ModelAdmin):
    list_display = ["__str__", "state", "progress", "started_by", "created_at", "finished_at"]
    list_filter = [StartedByMe, "kind", "state"]
    list_select_related = ["started_by"]
    fields = [
        "kind",
        "state",
        "started_by",
        "progress_bar",
        "outcome",
        "error",
        "attempts",
        "retry_at",
        "created_at",
        "started_at",
        "finished_at",
        "arguments",
    ]
    readonly_fields = fields
    change_form_template = "admin/claims/job/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    # Everyone on the staff may look at jobs; which ones is the queryset's call (``JobQuerySet.visible_to``).
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "refresh": job is not None and not job.finished}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="progress")
    def progress_bar(self, job: Job):
        if job.total is None:
            return job.progress
        return format_html('<progress value="{}" max="{}"></progress> {}', job.done, job.total or 1, job.progress)

    @admin.display(description="outcome")
    def outcome(self, job: Job):
        describe = {
            JobKind.INTAKE_ARTICLE: self.intake_outcome,
            JobKind.IMPORT_CLAIMREVIEW: self.import_outcome,
            JobKind.EXPORT_VERDICTS: self.export_outcome,
            JobKind.SEND_MAIL: self.mail_outcome,
        }[job.kind]
        return describe(job)

    def intake_outcome(self, job: Job):
        if job.state == JobState.FAILED:
            again = reverse("admin:claims_source_intake") + "?" + urlencode(_filled(job.arguments))
            return format_html('<a href="{}">Try again</a>', again)
        source = Source.objects.filter(pk=job.result.get("source")).first()
        if source is None:
            return "Fetching the page…" if not job.finished else "The source was deleted since."
        links = [
            (reverse("admin:claims_source_change", args=[source.pk]), "Open the source"),
            (reverse("admin:claims_source_proposals", args=[source.pk]), "Propose claims from it"),
        ]
        said = intake_said(source, created=job.result["created"])
        return format_html("{} {}", said, format_html_join(" · ", '<a href="{}">{}</a>', links))

    def import_outcome(self, job: Job):
        if not job.result:
            return "Reading the files…" if not job.finished else "-"
        summary = summary_of(job.result)
        lines = summary.sentences() if job.finished else [f"So far: {summary.sentences()[0]}"]
        lines += [f"New non-ordinal rating: {label}" for label in summary.new_ratings]
        lines += [f"Skipped {position}: {reason}" for position, reason in summary.skipped]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    def export_outcome(self, job: Job):
        if job.state != JobState.SUCCEEDED:
            return "Writing the file…" if not job.finished else "-"
        link = reverse("export-download", args=[download_token(job)])
        rows = job.result["rows"]
        return format_html(
            '<a href="{}">Download {}</a> ({} verdict{}). The link works for {} hours from when this page was shown.',
            link,
            job.result["filename"],
            f"{rows:,}",
            pluralize(rows),
            f"{settings.EXPORT_LINK_MAX_AGE / 3600:g}",
        )

    def mail_outcome(self, job: Job):
        if job.state != JobState.SUCCEEDED:
            return "Sending…" if not job.finished else "-"
        return f"Sent to {', '.join(job.arguments['to'])}."


def _filled(arguments: dict) -> dict:
    """The intake form's fields as a job was started with them, to try again."""
    return {name: value for name, value in arguments.items() if value}
