"""Background jobs through the API (``claims.jobs``): the jobs a caller started (editors: everyone's), how far they
got and how they ended, and the downloads of large exports by their signed links."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.schema import documented, error_responses
from claims.jobs.exports import LinkExpired, LinkInvalid, download_token, export_of, open_export
from claims.models import Job, JobKind, JobState

# How long a caller waiting for a job is asked to wait before asking again, in seconds.
POLL_AFTER = 5


class JobSerializer(serializers.ModelSerializer):
    """A background job: what it is, how far it got, and how it ended."""

    url = serializers.SerializerMethodField(help_text="This job's address; null for a job started without a login.")
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    error = serializers.SerializerMethodField(help_text="Why it failed, or why it will try again; else null.")
    result = serializers.SerializerMethodField(
        help_text="What it did, by kind: the source of an article (`source`, `created`); an import's counts and "
        "the records it skipped; an export's `rows` and its `download` link, which answers 202 until the file is "
        "ready and expires; the mails sent."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "state",
            "started_by",
            "done",
            "total",
            "attempts",
            "error",
            "retry_at",
            "created_at",
            "started_at",
            "finished_at",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: Job) -> str | None:
        if job.started_by_id is None:
            return None
        return self.absolute(reverse("job-detail", args=[job.pk]))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_error(self, job: Job) -> dict | None:
        return {"code": job.error_code, "message": job.error} if job.error else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_result(self, job: Job) -> dict:
        result = dict(job.result)
        if job.kind == JobKind.INTAKE_ARTICLE and "source" in result:
            source = result["source"]
            result["source"] = {"id": source, "url": self.absolute(reverse("source-detail", args=[source]))}
        if job.kind == JobKind.EXPORT_VERDICTS:
            result.pop("file", None)  # where it is stored is not the caller's concern
            result["download"] = self.absolute(reverse("export-download", args=[download_token(job)]))
        return result

    def absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


def job_accepted(job: Job, request) -> Response:
    """The answer to a request that started a job: 202, the job as it is now (done, if it ran in-process), and
    where to follow it."""
    job.refresh_from_db()
    data = JobSerializer(job, context={"request": request}).data
    headers = {"Retry-After": str(POLL_AFTER)}
    if data["url"]:
        headers["Location"] = data["url"]
    return Response(data, status=status.HTTP_202_ACCEPTED, headers=headers)


@documented(JobSerializer, with_writes=False)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your background jobs, newest first (editors see everyone's): article intake from an address, large
    exports, imports, mail."""

    queryset = Job.objects.select_related("started_by")
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


class ExportDownloadView(APIView):
    """The file of a large export, for whoever has its link until it expires: the link is the permission."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="export_download",
        summary="A large export's file, by the signed link its job gives",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The export."),
            202: OpenApiResponse(JobSerializer, description="Not ready yet: the job, and Retry-After."),
            410: OpenApiResponse(description="The link has expired, or the export failed or was deleted."),
            **error_responses(),
        },
    )
    def get(self, request, token: str):
        try:
            job = export_of(token)
        except LinkInvalid as error:
            raise exceptions.NotFound(str(error)) from error
        except LinkExpired as error:
            raise Gone(str(error)) from error
        if job.state == JobState.FAILED:
            raise Gone(f"The export failed: {job.error}")
        if job.state != JobState.SUCCEEDED:
            data = JobSerializer(job, context={"request": request}).data
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": str(POLL_AFTER)})
        try:
            file = open_export(job)
        except LinkExpired as error:
            raise Gone(str(error)) from error
        return FileResponse(
            file, as_attachment=True, filename=job.result["filename"], content_type=job.result["media_type"]
        )
