"""The export endpoints: the verdicts the filters choose, streamed as a file (``claims.outputs``), or, for a large
selection, written to one in the background (``claims.jobs.exports``)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.exceptions import ValidationError

from claims import selection
from claims.api.jobs import JobSerializer, job_accepted
from claims.api.schema import EXPORT_CONTENT, error_responses
from claims.jobs.exports import start_export, streams_inline
from claims.models import Verdict
from claims.outputs.formats import FORMATS, ExportFormat, streaming_response
from claims.selection import SelectionError, chosen_verdicts


class ExportView(generics.GenericAPIView):
    """The verdicts the filters choose, streamed as a file (``claims.outputs``).

    The filters are the verdict list's, claim filters included; a parameter that is not one of
    them is refused rather than ignored, so that a misspelt filter never exports everything.
    Without ``status``, the export holds each claim's current published fact-check. More than
    ``EXPORT_INLINE_MAX_ROWS`` verdicts are written to a file by a job (202), downloaded from its link.
    """

    permission_classes = [permissions.AllowAny]  # the selection holds only what the caller may see
    queryset = Verdict.objects.all()
    filterset_class = selection.VerdictFilter
    export_format: ExportFormat = None

    def get(self, request):
        try:
            verdicts = chosen_verdicts(user=request.user, params=request.query_params)
        except SelectionError as error:
            raise ValidationError(error.errors) from error
        if streams_inline(verdicts):
            return streaming_response(self.export_format, verdicts)
        return job_accepted(start_export(self.export_format.name, request.query_params, user=request.user), request)


def export_view(name: str):
    """The view of one export format, documented with the media type and content it streams."""
    export = FORMATS[name]

    @extend_schema_view(
        get=extend_schema(
            operation_id=f"export_{name}",
            summary=f"The verdicts the filters choose, as {export.filename}",
            responses={
                (200, export.media_type.split(";")[0]): EXPORT_CONTENT[name],
                202: OpenApiResponse(
                    JobSerializer,
                    description=f"More than {settings.EXPORT_INLINE_MAX_ROWS:,} verdicts: the export is written to a "
                    "file in the background; its `result.download` link gives it once ready, until it expires.",
                ),
                **error_responses(),
            },
        )
    )
    class FormatExportView(ExportView):
        export_format = export

    return FormatExportView.as_view()
