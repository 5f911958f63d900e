"""What the OpenAPI schema says that drf-spectacular cannot tell by itself: who may call without a
login, the errors every endpoint may answer, If-Match, and what the exports stream."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS

from claims.api.permissions import ReadOpenWritesByRole
from claims.api.serializers import StaffVerdictSerializer, VerdictMoveSerializer
from claims.outputs.columns import TABLE_COLUMNS


class NewsroomAutoSchema(AutoSchema):
    def get_auth(self):
        """Reads are open to anonymous callers (the records they may see), so their security includes "none"."""
        auths = super().get_auth()
        if self.method in SAFE_METHODS and any(
            isinstance(permission, ReadOpenWritesByRole) for permission in self.view.get_permissions()
        ):
            auths.append({})
        return auths

    def get_filter_backends(self):
        """An export is not a list, yet it takes the verdict list's filters: document them too."""
        if getattr(self.view, "export_format", None) is not None:
            return self.view.filter_backends
        return super().get_filter_backends()


ERRORS = {
    400: OpenApiResponse(description="Invalid input: the errors name each field and problem."),
    401: OpenApiResponse(description="Authentication needed."),
    403: OpenApiResponse(description="The caller's role does not allow this."),
    404: OpenApiResponse(description="No such record, or not one the caller may see."),
    405: OpenApiResponse(description="Method not allowed."),
    406: OpenApiResponse(description="Only JSON is served."),
    409: OpenApiResponse(description="The workflow does not allow this move from the record's current state."),
    412: OpenApiResponse(description="If-Match does not match: someone changed the record since it was read."),
    413: OpenApiResponse(description="The request body is too large."),
    415: OpenApiResponse(description="Only JSON bodies are accepted."),
    422: OpenApiResponse(
        description="The page was read but is not an article that can be added (too little text, no title, no "
        "publication date); the error names the field to change."
    ),
    428: OpenApiResponse(description="An update needs If-Match with the ETag that was read."),
    429: OpenApiResponse(description="Too many requests; retry after the delay given."),
    502: OpenApiResponse(
        description="The page could not be fetched: its site did not answer in time, answered an error, redirected "
        "too often, or sent something other than an HTML page, or too much of it."
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description="The ETag of the record as read."
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the record as read; the move is refused with 412 if it changed since.",
)


def error_responses(*codes):
    return {code: ERRORS[code] for code in (400, 401, 403, 404, 405, 406, 429, *codes)}


def documented(read, write=None, *, with_writes=True):
    """The OpenAPI description of a ViewSet's standard actions: what they take, answer and refuse."""
    views = {
        "list": extend_schema(responses={200: read(many=True), **error_responses()}),
        "retrieve": extend_schema(
            responses={200: read, 304: OpenApiResponse(description="Not modified."), **error_responses()}
        ),
    }
    if with_writes:
        views |= {
            "create": extend_schema(request=write or read, responses={201: read, **error_responses(413, 415)}),
            "update": extend_schema(
                request=write or read,
                parameters=[IF_MATCH],
                responses={200: read, **error_responses(412, 413, 415, 428)},
            ),
            "partial_update": extend_schema(
                request=write or read,
                parameters=[IF_MATCH],
                responses={200: read, **error_responses(412, 413, 415, 428)},
            ),
        }
    return extend_schema_view(**views)


def verdict_move_schema(description: str, status_code: int = status.HTTP_200_OK):
    return extend_schema(
        request=VerdictMoveSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={status_code: StaffVerdictSerializer, **error_responses(409, 412)},
        description=description,
    )


# What the JSON export holds in each column; the others are text, or null when there is none.
JSON_EXPORT_COLUMNS = {
    "verdict_id": {"type": "integer"},
    "claim_id": {"type": "integer"},
    "rating_value": {"type": "integer", "nullable": True},
    "evidence_urls": {"type": "array", "items": {"type": "string"}},
}
EXPORT_CONTENT = {
    "csv": {"type": "string", "description": "CSV with a header row; the columns are those of verdicts.json."},
    "json": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                name: JSON_EXPORT_COLUMNS.get(name, {"type": "string", "nullable": True}) for name in TABLE_COLUMNS
            },
        },
    },
    "claimreview": {
        "type": "array",
        "description": "schema.org ClaimReview records, each valid against claims/outputs/claimreview.schema.json.",
        "items": {"type": "object"},
    },
}
