"""ViewSets of /api/v1/: thin layers over ``visible_to``, the serializers and the workflow.

Permissions deny by default: reads are open (each queryset shows only what the caller may see),
writes need the model permissions of the caller's role, and workflow actions are decided by
``claims.workflow``. Updates need the ETag the caller read (``If-Match``), so that two people
editing one record never overwrite each other.
"""

import hashlib
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from claims import selection, workflow
from claims.api import serializers
from claims.api.errors import PreconditionFailed, PreconditionRequired
from claims.api.rows import plan_for
from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict, sees_unpublished
from claims.outputs.columns import TABLE_COLUMNS
from claims.outputs.formats import FORMATS, ExportFormat, streaming_response
from claims.selection import SelectionError, chosen_verdicts, is_id


class RolePermissions(permissions.DjangoModelPermissions):
    """Anyone reads (the queryset hides what they may not see); writing needs the role's model permission."""

    authenticated_users_only = False

    def has_permission(self, request, view):
        # A method the endpoint does not offer is refused as such (405), whoever asks.
        if getattr(view, "action", "") is None:
            return True
        return super().has_permission(request, view)


class MovePermissions(permissions.IsAuthenticated):
    """Workflow actions need a user; whether the role and the record's state allow the move is the workflow's call."""


def etag_of(data) -> str:
    digest = hashlib.blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


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
    428: OpenApiResponse(description="An update needs If-Match with the ETag that was read."),
    429: OpenApiResponse(description="Too many requests; retry after the delay given."),
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


class ReadViewSet(viewsets.GenericViewSet):
    """Lists and details of what the caller may see; details carry an ETag and answer If-None-Match.

    ``read_serializer_class`` renders for the public, ``staff_serializer_class`` (if any) for the
    newsroom's staff, and ``write_serializer_class`` takes what is sent.
    """

    permission_classes = [RolePermissions]
    read_serializer_class = None
    staff_serializer_class = None
    write_serializer_class = None
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def get_object(self):
        self.check_pk()
        return super().get_object()

    def check_pk(self):
        # An id that is not a number names no record: 404, as for any other missing one.
        if not is_id(str(self.kwargs.get("pk", ""))):
            raise NotFound(f"No {self.queryset.model.__name__} matches the given query.")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class or self.read_serializer_class
        return self.read_serializer_class_for_caller()

    def read_serializer_class_for_caller(self):
        if self.staff_serializer_class and sees_unpublished(self.request.user, self.queryset.model):
            return self.staff_serializer_class
        return self.read_serializer_class

    def read_serializer(self, instance):
        """The representation the caller reads, whatever the action: the answer to a write, and its ETag."""
        return self.read_serializer_class_for_caller()(instance, context=self.get_serializer_context())

    def list(self, request, *args, **kwargs):
        plan = plan_for(self.get_serializer_class())
        matching = self.filter_queryset(self.get_queryset())
        # The page's ids first, then its rows. Asked for the rows at once, with every table the list
        # shows joined in, PostgreSQL may walk the whole id index for one page of an old month's
        # claims (800 ms at 1M claims) rather than use the date index and sort what it finds (2 ms).
        keys = self.paginate_queryset(matching.values("id"))
        if keys is None:
            return Response(plan.represent(plan.rows(matching)))
        ids = [key["id"] for key in keys]
        rows = {row[plan.key]: row for row in plan.rows(self.get_queryset().filter(pk__in=ids))}
        # A record deleted between the two queries is left out of the page.
        return self.get_paginated_response(plan.represent(rows[pk] for pk in ids if pk in rows))

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = etag_of(data)
        if etag in _etags(request.headers.get("If-None-Match")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})


class EditableViewSet(ReadViewSet):
    """Creates, and updates that must send back the ETag they read (If-Match): a stale one gets 412."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def respond_with(self, instance, status_code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        data = self.read_serializer(instance).data
        return Response(data, status=status_code, headers={"ETag": etag_of(data)})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.respond_with(self.perform_create(serializer), status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        return serializer.save()

    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            instance = self.locked_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.perform_update(serializer)
        return self.respond_with(instance)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, serializer):
        return serializer.save()

    def locked_object(self):
        self.check_pk()
        queryset = self.filter_queryset(self.get_queryset()).select_for_update(of=("self",))
        instance = get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, instance)
        return instance

    def check_if_match(self, request, instance, required=True):
        sent = request.headers.get("If-Match")
        if sent is None:
            if required:
                raise PreconditionRequired()
            return
        etags = _etags(sent)
        if "*" not in etags and etag_of(self.read_serializer(instance).data) not in etags:
            raise PreconditionFailed()


def _etags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


def _documented(read, write=None, *, with_writes=True):
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


@_documented(serializers.RatingSerializer, with_writes=False)
class RatingViewSet(ReadViewSet):
    """The rating scale: every label a verdict may carry."""

    queryset = Rating.objects.all()
    read_serializer_class = serializers.RatingSerializer
    pagination_class = None


@_documented(serializers.TopicSerializer)
class TopicViewSet(EditableViewSet):
    queryset = Topic.objects.all()
    read_serializer_class = serializers.TopicSerializer


@_documented(serializers.SpeakerSerializer)
class SpeakerViewSet(EditableViewSet):
    queryset = Speaker.objects.all()
    read_serializer_class = serializers.SpeakerSerializer
    filterset_class = selection.SpeakerFilter


@_documented(serializers.SourceSerializer)
class SourceViewSet(EditableViewSet):
    queryset = Source.objects.all()
    read_serializer_class = serializers.SourceSerializer
    filterset_class = selection.SourceFilter


@_documented(serializers.EvidenceSerializer)
@extend_schema_view(destroy=extend_schema(responses={204: None, **error_responses()}))
class EvidenceViewSet(EditableViewSet, mixins.DestroyModelMixin):
    queryset = Evidence.objects.select_related("added_by")
    read_serializer_class = serializers.EvidenceSerializer
    filterset_class = selection.EvidenceFilter
    http_method_names = [*EditableViewSet.http_method_names, "delete"]

    def perform_create(self, serializer):
        return serializer.save(added_by=self.request.user)


CLAIM_MOVE_RESPONSES = {200: serializers.StaffClaimSerializer, **error_responses(409)}


@_documented(serializers.ClaimSerializer, serializers.ClaimWriteSerializer)
class ClaimViewSet(EditableViewSet):
    """Claims with their speaker, source, topics and current verdict; moves through the workflow as actions."""

    queryset = Claim.objects.select_related(
        "speaker", "source", "first_appearance", "current_verdict__rating"
    ).prefetch_related("topics")
    read_serializer_class = serializers.ClaimSerializer
    staff_serializer_class = serializers.StaffClaimSerializer
    write_serializer_class = serializers.ClaimWriteSerializer
    filterset_class = selection.ClaimFilter

    # Columns a claim's representation never shows: the search vector and long texts of what it joins.
    UNSHOWN = ("search_vector", "source__text", "first_appearance__text", "current_verdict__body")
    UNSHOWN_SIMILAR = ("search_vector", "source__text", "current_verdict__body")

    def get_queryset(self):
        claims = super().get_queryset().defer(*self.UNSHOWN).order_by("-id")
        if self.read_serializer_class_for_caller() is self.staff_serializer_class:
            claims = claims.select_related("assignee")
        return claims

    def perform_create(self, serializer):
        return serializer.save(created_by=self.request.user)

    def move(self, request, make_move, serializer_class=None):
        """Run a workflow move on the claim and answer with the claim as it now is."""
        claim = self.get_object()
        arguments = {}
        if serializer_class:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            arguments = serializer.validated_data
        return self.respond_with(make_move(claim=claim, user=request.user, **arguments))

    @extend_schema(
        operation_id="claims_similar",
        parameters=[serializers.SimilarTextSerializer],
        responses={200: serializers.SimilarClaimsSerializer, **error_responses()},
        description="Already checked? The recorded claims most like a text, best first, with their current verdicts.",
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def similar(self, request):
        query = self.similar_query(serializers.SimilarTextSerializer)
        return self.similar_response(Claim.objects.all(), query["text"], query["limit"])

    @extend_schema(
        operation_id="claims_similar_to_claim",
        parameters=[serializers.SimilarLimitSerializer],
        responses={200: serializers.SimilarClaimsSerializer, **error_responses()},
        description="Already checked? The other recorded claims most like this one, best first.",
    )
    @action(detail=True, url_path="similar", filter_backends=[], pagination_class=None)
    def similar_to_claim(self, request, pk=None):
        query = self.similar_query(serializers.SimilarLimitSerializer)
        self.check_pk()
        claim = get_object_or_404(Claim.objects.visible_to(request.user).only("text"), pk=pk)
        return self.similar_response(Claim.objects.exclude(pk=claim.pk), claim.text, query["limit"])

    def similar_query(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def similar_response(self, claims, text: str, limit: int) -> Response:
        """The ``limit`` claims the caller may see that are most like ``text``, in one query."""
        similar = (
            claims.visible_to(self.request.user)
            .select_related("speaker", "source", "current_verdict__rating")
            .defer(*self.UNSHOWN_SIMILAR)
            .similar_to(text, limit=limit)
        )
        results = serializers.SimilarClaimSerializer(similar, many=True, context=self.get_serializer_context())
        return Response({"results": results.data})

    @extend_schema(request=None, responses=CLAIM_MOVE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="mark-checkworthy", permission_classes=[MovePermissions])
    def mark_checkworthy(self, request, pk=None):
        """Triage: the claim is worth checking (editors)."""
        return self.move(request, workflow.claim_mark_checkworthy)

    @extend_schema(request=serializers.ClaimRejectSerializer, responses=CLAIM_MOVE_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def reject(self, request, pk=None):
        """Triage: the claim is not worth checking, with the reason (editors)."""
        return self.move(request, workflow.claim_reject, serializers.ClaimRejectSerializer)

    @extend_schema(request=serializers.ClaimAssignSerializer, responses=CLAIM_MOVE_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def assign(self, request, pk=None):
        """Give the claim to a reviewer: yourself, or anyone if you are an editor."""
        serializer = serializers.ClaimAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data.get("assignee", request.user.get_username())
        assignee = get_user_model().objects.filter(username=username).first()
        if assignee is None:
            raise ValidationError({"assignee": f"There is no user {username!r}."})
        return self.move(request, lambda claim, user: workflow.claim_assign(claim=claim, user=user, assignee=assignee))


def _verdict_move_schema(description: str, status_code: int = status.HTTP_200_OK):
    return extend_schema(
        request=serializers.VerdictMoveSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={status_code: serializers.StaffVerdictSerializer, **error_responses(409, 412)},
        description=description,
    )


@_documented(serializers.VerdictSerializer, serializers.VerdictWriteSerializer)
class VerdictViewSet(EditableViewSet):
    """Verdicts: drafts are written here and moved through review to publication by the workflow actions."""

    queryset = Verdict.objects.select_related("rating", "author", "approved_by")
    read_serializer_class = serializers.VerdictSerializer
    staff_serializer_class = serializers.StaffVerdictSerializer
    write_serializer_class = serializers.VerdictWriteSerializer
    filterset_class = selection.VerdictFilter

    def get_queryset(self):
        return super().get_queryset().order_by("-id")

    def perform_create(self, serializer):
        return workflow.verdict_create(verdict=Verdict(**serializer.validated_data), author=self.request.user)

    def perform_update(self, serializer):
        return workflow.verdict_update(
            verdict=serializer.instance, user=self.request.user, changes=serializer.validated_data
        )

    def move(self, request, move_name):
        with transaction.atomic():
            verdict = self.locked_object()
            self.check_if_match(request, verdict, required=False)
            serializer = serializers.VerdictMoveSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            reason = serializer.validated_data.get("reason", "")
            result = workflow.verdict_move(verdict=verdict, user=request.user, move=move_name, reason=reason)
        created = move_name == "correct"
        return self.respond_with(result, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @_verdict_move_schema("Send a draft to the editors for review: its author or an editor.")
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def submit(self, request, pk=None):
        return self.move(request, "submit for review")

    @_verdict_move_schema("Return a verdict in review to its author: editors.")
    @action(detail=True, methods=["post"], url_path="send-back", permission_classes=[MovePermissions])
    def send_back(self, request, pk=None):
        return self.move(request, "send back")

    @_verdict_move_schema("Publish a verdict in review: an editor who did not write it.")
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def publish(self, request, pk=None):
        return self.move(request, "publish")

    @_verdict_move_schema("Withdraw a published verdict, with the reason the public will read: editors.")
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def retract(self, request, pk=None):
        return self.move(request, "retract")

    @_verdict_move_schema("Start a correction: a new draft that copies a published verdict.", status.HTTP_201_CREATED)
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def correct(self, request, pk=None):
        return self.move(request, "correct")


class ExportView(generics.GenericAPIView):
    """The verdicts the filters choose, streamed as a file (``claims.outputs``).

    The filters are the verdict list's, claim filters included; a parameter that is not one of
    them is refused rather than ignored, so that a misspelt filter never exports everything.
    Without ``status``, the export holds each claim's current published fact-check.
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
        return streaming_response(self.export_format, verdicts)


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


def export_view(name: str):
    """The view of one export format, documented with the media type and content it streams."""
    export = FORMATS[name]

    @extend_schema_view(
        get=extend_schema(
            operation_id=f"export_{name}",
            summary=f"The verdicts the filters choose, as {export.filename}",
            responses={(200, export.media_type.split(";")[0]): EXPORT_CONTENT[name], **error_responses()},
        )
    )
    class FormatExportView(ExportView):
        export_format = export

    return FormatExportView.as_view()
