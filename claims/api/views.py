"""The API's resources: thin layers over ``visible_to``, the serializers, the selection and the workflow.

Permissions deny by default: reads are open (each queryset shows only what the caller may see),
writes need the model permissions of the caller's role, and workflow actions are decided by
``claims.workflow``.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from claims import selection, workflow
from claims.api import serializers
from claims.api.jobs import JobSerializer, job_accepted
from claims.api.permissions import MovePermissions
from claims.api.schema import documented, error_responses, verdict_move_schema
from claims.api.viewsets import EditableViewSet, ReadViewSet
from claims.intake.article_intake import intake_article
from claims.jobs.intake import start_article_intake
from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict
from claims.workflow import Move


@documented(serializers.RatingSerializer, with_writes=False)
class RatingViewSet(ReadViewSet):
    """The rating scale: every label a verdict may carry."""

    queryset = Rating.objects.all()
    read_serializer_class = serializers.RatingSerializer
    pagination_class = None


@documented(serializers.TopicSerializer)
class TopicViewSet(EditableViewSet):
    queryset = Topic.objects.all()
    read_serializer_class = serializers.TopicSerializer


@documented(serializers.SpeakerResourceSerializer)
class SpeakerViewSet(EditableViewSet):
    queryset = Speaker.objects.all()
    read_serializer_class = serializers.SpeakerResourceSerializer
    filterset_class = selection.SpeakerFilter


@documented(serializers.SourceSerializer)
class SourceViewSet(EditableViewSet):
    queryset = Source.objects.all()
    read_serializer_class = serializers.SourceSerializer
    filterset_class = selection.SourceFilter

    @extend_schema(
        operation_id="sources_intake",
        request=serializers.SourceIntakeSerializer,
        responses={
            202: OpenApiResponse(JobSerializer, description="The page is being fetched: follow the job (Location)."),
            201: OpenApiResponse(serializers.SourceSerializer, description="The saved page was added as a source."),
            200: OpenApiResponse(serializers.SourceSerializer, description="The address was already recorded."),
            **error_responses(413, 415, 422),
        },
        description="Add a news article from its address (or its saved page): its text, title, publisher, author, "
        "publication date and language are read from the page, and it is stored as a source. An address already "
        "recorded answers at once with its source (200). Another is fetched in the background: the answer is 202 "
        "with the job (`GET /api/v1/jobs/{id}/`), whose result names the source once it is stored, or whose error "
        "says why the page was refused. A saved page (`html`) is read at once (201, or 422 if refused). Reviewers "
        "and editors.",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def intake(self, request):
        serializer = serializers.SourceIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "html" in serializer.validated_data:
            result = intake_article(**serializer.validated_data, user=request.user, save=True)
            return self.respond_with(result.source, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
        started = start_article_intake(
            serializer.validated_data["url"],
            published_on=serializer.validated_data.get("published_on"),
            user=request.user,
        )
        if isinstance(started, Source):
            return self.respond_with(started)
        return job_accepted(started, request)


@documented(serializers.EvidenceSerializer)
@extend_schema_view(destroy=extend_schema(responses={204: None, **error_responses()}))
class EvidenceViewSet(EditableViewSet, mixins.DestroyModelMixin):
    queryset = Evidence.objects.select_related("added_by")
    read_serializer_class = serializers.EvidenceSerializer
    staff_serializer_class = serializers.StaffEvidenceSerializer
    filterset_class = selection.EvidenceFilter
    http_method_names = [*EditableViewSet.http_method_names, "delete"]

    def perform_create(self, serializer):
        return serializer.save(added_by=self.request.user)


CLAIM_MOVE_RESPONSES = {200: serializers.StaffClaimSerializer, **error_responses(409)}


@documented(serializers.ClaimSerializer, serializers.ClaimWriteSerializer)
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

    def move(self, request, move: Move, serializer_class=None, **arguments):
        """Make a workflow move on the claim and answer with the claim as it now is."""
        claim = self.get_object()
        if serializer_class:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            arguments |= serializer.validated_data
        return self.respond_with(workflow.make_move(claim, user=request.user, move=move, **arguments))

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
        return self.move(request, Move.MARK_CHECKWORTHY)

    @extend_schema(request=serializers.ClaimRejectSerializer, responses=CLAIM_MOVE_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def reject(self, request, pk=None):
        """Triage: the claim is not worth checking, with the reason (editors)."""
        return self.move(request, Move.REJECT, serializers.ClaimRejectSerializer)

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
        return self.move(request, Move.ASSIGN, assignee=assignee)


@documented(serializers.VerdictSerializer, serializers.VerdictWriteSerializer)
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
        fields = dict(serializer.validated_data)
        cited = fields.pop("evidence", None)
        return workflow.verdict_create(verdict=Verdict(**fields), author=self.request.user, evidence=cited)

    def perform_update(self, serializer):
        return workflow.verdict_update(
            verdict=serializer.instance, user=self.request.user, changes=serializer.validated_data
        )

    def move(self, request, move: Move):
        with transaction.atomic():
            verdict = self.locked_object()
            self.check_if_match(request, verdict, required=False)
            serializer = serializers.VerdictMoveSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            reason = serializer.validated_data.get("reason", "")
            result = workflow.make_move(verdict, user=request.user, move=move, reason=reason)
        created = move == Move.CORRECT
        return self.respond_with(result, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @verdict_move_schema("Send a draft to the editors for review: its author or an editor.")
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def submit(self, request, pk=None):
        return self.move(request, Move.SUBMIT)

    @verdict_move_schema("Return a verdict in review to its author, saying what to change: editors.")
    @action(detail=True, methods=["post"], url_path="send-back", permission_classes=[MovePermissions])
    def send_back(self, request, pk=None):
        return self.move(request, Move.SEND_BACK)

    @verdict_move_schema("Publish a verdict in review: an editor who did not write it.")
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def publish(self, request, pk=None):
        return self.move(request, Move.PUBLISH)

    @verdict_move_schema(
        "Withdraw the claim's published fact-check, with the reason readers will read: editors. No earlier "
        "version becomes current again."
    )
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def retract(self, request, pk=None):
        return self.move(request, Move.RETRACT)

    @verdict_move_schema(
        "Make a superseded or retracted version the claim's fact-check again, with the reason readers will read: "
        "editors."
    )
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def reinstate(self, request, pk=None):
        return self.move(request, Move.REINSTATE)

    @verdict_move_schema(
        "Start a correction, saying why: a new draft that copies a published verdict and supersedes it once published.",
        status.HTTP_201_CREATED,
    )
    @action(detail=True, methods=["post"], permission_classes=[MovePermissions])
    def correct(self, request, pk=None):
        return self.move(request, Move.CORRECT)
