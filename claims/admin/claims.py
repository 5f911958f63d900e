"""The claim queue: the editors' work list, triage and assignment, and each claim's page.

Every status change goes through ``claims.workflow``; this module only collects input and reports
what the workflow said, row by row.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from claims import workflow
from claims.admin.actions import (
    REFUSALS,
    AssignForm,
    MoveActionsAdmin,
    ReasonForm,
    move_action,
    move_slug,
    quoted,
    record_page,
    refusal,
    reviewers,
)
from claims.admin.filters import AssigneeFilter, CurrentRatingFilter, PublisherFilter
from claims.admin.saving import RaceSafeAdmin
from claims.admin.timeline import claim_timeline
from claims.models import Claim, Evidence, Verdict
from claims.outputs.formats import FORMATS, streaming_response
from claims.workflow import Move

VerdictStatus = Verdict.Status

CLAIM_MOVE_ACTIONS = [
    move_action(
        Move.MARK_CHECKWORTHY,
        name="mark_checkworthy",
        description="Mark selected claims check-worthy",
        done="Marked check-worthy",
    ),
    move_action(
        Move.REJECT,
        name="reject",
        description="Reject selected claims…",
        form=ReasonForm,
        title="Reject claims",
        done="Rejected",
    ),
    move_action(
        Move.ASSIGN,
        name="assign_to_me",
        description="Assign selected claims to me",
        done="Assigned to you",
        arguments=lambda request, data: {"assignee": request.user},
    ),
    move_action(
        Move.ASSIGN,
        name="assign",
        description="Assign selected claims to a reviewer…",
        form=AssignForm,
        title="Assign claims",
        done="Assigned to {assignee}",
        allowed=workflow.may_assign_others,
    ),
    move_action(
        Move.SUBMIT,
        name="submit_for_review",
        description="Submit the draft verdict of selected claims for review",
        of_verdict_in=VerdictStatus.DRAFT,
        done="Submitted for review",
    ),
    move_action(
        Move.PUBLISH,
        name="approve_and_publish",
        description="Approve and publish the verdict in review of selected claims",
        of_verdict_in=VerdictStatus.IN_REVIEW,
        done="Published the verdict on",
    ),
    move_action(
        Move.RETRACT,
        name="retract",
        description="Retract the current verdict of selected claims…",
        form=ReasonForm,
        title="Retract verdicts",
        of_verdict_in=VerdictStatus.PUBLISHED,
        done="Retracted the verdict on",
    ),
]


class EvidenceFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.is_frozen():
                raise ValidationError(
                    f"{quoted(form.instance)} is cited by a verdict in review or published: it stays on record. "
                    "Add new evidence to a correction instead."
                )


class EvidenceInline(admin.StackedInline):
    """The claim's evidence; what a verdict in review or published cites can no longer change."""

    model = Evidence
    formset = EvidenceFormSet
    extra = 0
    fields = [("title", "url"), ("stance", "kind"), ("publisher", "published_on"), "excerpt", "archived_url"]


class VerdictInline(admin.TabularInline):
    """Verdicts are listed here and edited on their own page, where their workflow runs."""

    model = Verdict
    fields = ["headline", "status", "rating", "author", "approved_by", "published_at"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(RaceSafeAdmin, MoveActionsAdmin, SimpleHistoryAdmin):
    list_display = [
        "short_text",
        "speaker_name",
        "source_short",
        "said_on",
        "status",
        "current_rating",
        "assignee",
        "public_page",
    ]
    list_select_related = ["speaker", "source", "assignee", "current_verdict__rating"]
    list_filter = [
        "status",
        CurrentRatingFilter,
        ("speaker", admin.RelatedOnlyFieldListFilter),
        PublisherFilter,
        ("topics", admin.RelatedOnlyFieldListFilter),
        AssigneeFilter,
    ]
    date_hierarchy = "claim_date"
    search_fields = ["text", "speaker__name", "source__title", "source__url"]
    autocomplete_fields = ["speaker", "source", "first_appearance", "topics"]
    readonly_fields = [
        "status",
        "assignee",
        "rejection_reason",
        "verdict_links",
        "publication_links",
        "possibly_checked_before",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["text", "is_verbatim", "context", "speaker", "source"]}),
        ("When and where", {"fields": [("claim_date", "claim_date_precision"), "first_appearance"]}),
        ("Triage", {"fields": ["topics", "checkworthiness", "status", "assignee", "rejection_reason", "notes"]}),
        ("Verdicts", {"fields": ["verdict_links", "publication_links", "possibly_checked_before"]}),
        ("Record", {"fields": ["created_by", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [EvidenceInline, VerdictInline]
    SIMILAR_SHOWN = 5
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}
    actions = [*CLAIM_MOVE_ACTIONS, "export_csv", "export_claimreview"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status == Claim.Status.PUBLISHED:
            return [*self.readonly_fields, *Claim.FROZEN_WHEN_PUBLISHED]
        return self.readonly_fields

    def get_urls(self):
        timeline = self.admin_site.admin_view(self.timeline_view)
        move = self.admin_site.admin_view(self.move_view)
        return [
            path("<int:object_id>/timeline/", timeline, name="claims_claim_timeline"),
            path("<int:object_id>/move/<slug:move>/", move, name="claims_claim_move"),
            *super().get_urls(),
        ]

    def timeline_view(self, request, object_id):
        """Every change to the claim, its verdicts and its evidence, oldest first, in words."""
        claim = get_object_or_404(Claim, pk=object_id)
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        return record_page(
            self, request, claim, "timeline", "admin/claims/claim/timeline.html", entries=claim_timeline(claim)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["claim_moves"] = [
                (move.capitalize(), reverse("admin:claims_claim_move", args=[obj.pk, move_slug(move)]))
                for move in workflow.moves_for(obj, request.user)
                if move != Move.DRAFT
            ]
            context["verdicts_and_moves"] = [
                (
                    verdict,
                    [
                        (move.capitalize(), reverse("admin:claims_verdict_move", args=[verdict.pk, move_slug(move)]))
                        for move in workflow.moves_for(verdict, request.user)
                    ],
                )
                for verdict in obj.verdicts.own().exclude(status=Verdict.Status.SUPERSEDED).order_by("-created_at")
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def move_view(self, request, object_id, move):
        """Confirm a workflow move on the claim (with its reason or assignee), then make it."""
        claim = get_object_or_404(Claim, pk=object_id)
        moves = {move_slug(name): name for name in workflow.CLAIM_MOVES if name != Move.DRAFT}
        if move not in moves or not self.has_view_permission(request, claim):
            raise PermissionDenied
        name = moves[move]
        form = ClaimMoveForm(request.POST or None, move=name, user=request.user)
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        if request.method == "POST" and form.is_valid():
            try:
                workflow.make_move(claim, user=request.user, move=name, **form.cleaned_data)
            except REFUSALS as error:
                messages.error(request, refusal(error))
            else:
                messages.success(request, f"{name.capitalize()}: done for {quoted(claim)}.")
            return HttpResponseRedirect(change_url)
        return record_page(self, request, claim, name, "admin/claims/claim/move.html", form=form)

    @admin.display(description="Claim", ordering="text")
    def short_text(self, claim):
        return str(claim)

    @admin.display(description="Speaker", ordering="speaker__name")
    def speaker_name(self, claim):
        return claim.speaker.name

    @admin.display(description="Source", ordering="source__publisher")
    def source_short(self, claim):
        source = claim.source
        title = source.title if len(source.title) <= 30 else source.title[:29] + "…"
        label = f"{source.publisher}: {title}" if source.publisher else title
        return format_html('<span title="{}">{}</span>', source.title, label)

    @admin.display(description="Said on", ordering="claim_date")
    def said_on(self, claim):
        if claim.claim_date is None:
            return None
        if claim.claim_date_precision == Claim.DatePrecision.MONTH:
            return claim.claim_date.strftime("%B %Y")
        if claim.claim_date_precision == Claim.DatePrecision.YEAR:
            return str(claim.claim_date.year)
        return claim.claim_date.isoformat()

    @admin.display(description="Current rating", ordering="current_verdict__rating__label")
    def current_rating(self, claim):
        return claim.current_verdict.rating.label if claim.current_verdict else None

    @admin.display(description="Verdicts")
    def verdict_links(self, claim):
        if claim.pk is None:
            return "Save the claim first."
        if Move.DRAFT not in workflow.moves_from(claim):
            return f"A verdict can be drafted once the claim is assigned; it is {claim.get_status_display().lower()}."
        url = reverse("admin:claims_verdict_add") + f"?claim={claim.pk}"
        return format_html('<a class="addlink" href="{}">Draft a verdict on this claim</a>', url)

    def get_object(self, request, object_id, from_field=None):
        claim = super().get_object(request, object_id, from_field)
        if claim is not None:
            # The similar claims are those this editor may see; a display function is given only the claim.
            claim.visible_claims = Claim.objects.visible_to(request.user)
        return claim

    @admin.display(description="Possibly checked before")
    def possibly_checked_before(self, claim):
        if claim.pk is None:
            return "Save the claim first."
        similar = (
            claim.visible_claims.exclude(pk=claim.pk)
            .select_related("current_verdict__rating")
            .only("text", "current_verdict__rating__label")
            .similar_to(claim.text, limit=self.SIMILAR_SHOWN)
        )
        rows = [
            (
                reverse("admin:claims_claim_change", args=[other.pk]),
                str(other),
                f"{other.similarity:.2f}",
                other.current_verdict.rating.label if other.current_verdict else "no verdict yet",
            )
            for other in similar
        ]
        if not rows:
            return "None found"
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a> (similarity {}; {})</li>', rows)
        )

    @admin.display(description="Public page")
    def public_page(self, claim):
        if claim.current_verdict is None:
            return None
        return format_html('<a href="{}">{}</a>', claim.current_factcheck_url(), "View")

    @admin.display(description="Published")
    def publication_links(self, claim):
        if claim.pk is None:
            return "Save the claim first."
        report = reverse("verdict-report")
        links = [
            (f"{report}?speaker={claim.speaker_id}", f"Verdict report on {claim.speaker.name}"),
            (f"{report}?source={claim.source_id}", "Verdict report on this source"),
        ]
        verdict = claim.current_verdict
        if verdict:
            name = f"Fact-check by {verdict.publisher_name}" if verdict.publisher_name else "Public fact-check page"
            links.insert(0, (claim.current_factcheck_url(), name))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.action(description="Export the current fact-checks of selected claims as CSV")
    def export_csv(self, request, queryset):
        return export_current_verdicts(queryset, "csv")

    @admin.action(description="Export the current fact-checks of selected claims as ClaimReview")
    def export_claimreview(self, request, queryset):
        return export_current_verdicts(queryset, "claimreview")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Evidence:
            super().save_formset(request, form, formset, change)
            return
        for evidence in formset.save(commit=False):
            if evidence.pk is None:
                evidence.added_by = request.user
            evidence.save()
        for evidence in formset.deleted_objects:
            evidence.delete()
        formset.save_m2m()


class ClaimMoveForm(forms.Form):
    """What a claim's move needs: a reason to reject, and whom to assign (yourself unless you are an editor)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept on record with the change.")
    assignee = forms.ModelChoiceField(queryset=reviewers().order_by("username"), help_text="Reviewers and editors.")

    def __init__(self, *args, move: Move, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not workflow.CLAIM_MOVES[move].needs_reason:
            del self.fields["reason"]
        if move != Move.ASSIGN:
            del self.fields["assignee"]
        elif not workflow.may_assign_others(user):
            self.fields["assignee"].queryset = self.fields["assignee"].queryset.filter(pk=user.pk)
            self.fields["assignee"].initial = user.pk


def export_current_verdicts(claims: QuerySet, format_name: str):
    """The claims' current fact-checks, which are public: whoever exports them may see them."""
    verdicts = Verdict.objects.current().filter(claim__in=claims)
    return streaming_response(FORMATS[format_name], verdicts.order_by("pk"))
