"""The editors' admin: the claim queue, verdict review and the reference data behind them.

Every status change goes through ``claims.workflow``; this module only collects input and reports
what the workflow said, row by row.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from claims import workflow
from claims.intake.extraction import extract
from claims.intake.proposals import extracted_claims_save
from claims.models import Claim, Evidence, Rating, Source, Speaker, Topic, Verdict
from claims.outputs.formats import FORMATS, streaming_response

VerdictStatus = Verdict.Status


def reviewers() -> QuerySet:
    """Active users who may be assigned claims: those allowed to draft verdicts."""
    can_review = Q(groups__permissions__codename="add_verdict") | Q(user_permissions__codename="add_verdict")
    return get_user_model().objects.filter(Q(is_active=True) & (can_review | Q(is_superuser=True))).distinct()


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept on record with the change.")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=reviewers().order_by("username"), help_text="Reviewers and editors.")


def run_moves(request: HttpRequest, objects, move: Callable, done_message: str) -> None:
    """Apply a workflow move to each object and report, row by row, what happened."""
    done = []
    for obj in objects:
        try:
            move(obj)
        except workflow.WorkflowError as error:
            messages.error(request, f"“{obj}”: {error}")
        else:
            done.append(str(obj.pk))
    if done:
        messages.success(request, f"{done_message}: {', '.join(done)}.")


def form_action(modeladmin, request, queryset, form_class, title: str, apply: Callable):
    """An admin action that asks for input (a reason, an assignee) on a page of its own first."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": request.POST["action"],
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/claims/action_form.html", context)


class RolePermissions:
    """``has_<name>_permission`` hooks that admin actions name in ``permissions=[...]``.

    They ask the workflow, which alone knows which role may make which move.
    """

    def has_triage_permission(self, request):
        return workflow.role_allows(request.user, "mark check-worthy")

    def has_take_permission(self, request):
        return workflow.role_allows(request.user, "assign")

    def has_assign_permission(self, request):
        return request.user.has_perm(f"claims.{workflow.ASSIGN_OTHERS}")

    def has_submit_permission(self, request):
        return workflow.role_allows(request.user, "submit for review")

    def has_send_back_permission(self, request):
        return workflow.role_allows(request.user, "send back")

    def has_publish_permission(self, request):
        return workflow.role_allows(request.user, "publish")

    def has_retract_permission(self, request):
        return workflow.role_allows(request.user, "retract")


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "role", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "role", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "published_on"
    search_fields = ["title", "url", "publisher"]
    actions = ["propose_claims"]

    def has_propose_claims_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    @admin.action(description="Propose claims from the stored text", permissions=["propose_claims"])
    def propose_claims(self, request, queryset):
        """List each source's candidate claims on a page of their own; store the ones the editor ticks."""
        proposals = {}
        for source in queryset.order_by("pk"):
            if not source.text.strip() or not source.publisher:
                missing = "no stored text" if not source.text.strip() else "no publisher to speak its own voice"
                messages.warning(request, f"“{source}” has {missing}: no claims were proposed from it.")
                continue
            proposals[source] = extract(source.text, published_on=source.published_on, publisher=source.publisher)
        if not proposals:
            return None
        if "apply" in request.POST:
            return self.save_proposals(request, proposals)
        context = {
            **self.admin_site.each_context(request),
            "title": "Propose claims from the stored text",
            "proposals": [(source, list(enumerate(candidates))) for source, candidates in proposals.items()],
            "action": request.POST["action"],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/source/propose_claims.html", context)

    def save_proposals(self, request, proposals: dict[Source, list]) -> None:
        ticked = set(request.POST.getlist("candidate"))
        created = existing = 0
        for source, candidates in proposals.items():
            kept = [candidate for index, candidate in enumerate(candidates) if f"{source.pk}:{index}" in ticked]
            if not kept:
                continue
            try:
                report = extracted_claims_save(source=source, candidates=kept, user=request.user)
            except ValidationError as error:
                messages.error(request, f"“{source}”: nothing was saved: {' '.join(error.messages)}")
                continue
            created, existing = created + len(report.created), existing + len(report.existing)
        already = f" ({existing} were already recorded)" if existing else ""
        messages.success(request, f"Created {created} new claim{'' if created == 1 else 's'}{already}.")


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["label", "value", "swatch", "slug"]
    prepopulated_fields = {"slug": ["label"]}

    @admin.display(description="Colour")
    def swatch(self, rating):
        return format_html('<span style="display:inline-block;width:2em;background:{}">&nbsp;</span>', rating.color)


class CurrentRatingFilter(admin.SimpleListFilter):
    title = "current rating"
    parameter_name = "rating"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [(rating.slug, rating.label) for rating in Rating.objects.all()] + [(self.NONE, "No published verdict")]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(current_verdict__isnull=True)
        if self.value():
            return queryset.filter(current_verdict__rating__slug=self.value())
        return queryset


class PublisherFilter(admin.SimpleListFilter):
    title = "publisher"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        publishers = Source.objects.exclude(publisher="").order_by("publisher").values_list("publisher", flat=True)
        return [(name, name) for name in publishers.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(source__publisher=self.value()) if self.value() else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"
    ME, NOBODY = "me", "nobody"

    def lookups(self, request, model_admin):
        assignees = get_user_model().objects.filter(assigned_claims__isnull=False).distinct().order_by("username")
        return [(self.ME, "Assigned to me"), (self.NOBODY, "Unassigned")] + [(str(u.pk), str(u)) for u in assignees]

    def queryset(self, request, queryset):
        if self.value() == self.ME:
            return queryset.filter(assignee=request.user)
        if self.value() == self.NOBODY:
            return queryset.filter(assignee__isnull=True)
        if self.value():
            return queryset.filter(assignee_id=self.value())
        return queryset


class EvidenceInline(admin.StackedInline):
    model = Evidence
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
class ClaimAdmin(RolePermissions, SimpleHistoryAdmin):
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
    actions = [
        "mark_checkworthy",
        "reject",
        "assign_to_me",
        "assign",
        "submit_for_review",
        "approve_and_publish",
        "retract",
        "export_csv",
        "export_claimreview",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status == Claim.Status.PUBLISHED:
            return [*self.readonly_fields, *Claim.FROZEN_WHEN_PUBLISHED]
        return self.readonly_fields

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
        if "draft a verdict" not in workflow.moves_from(claim):
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
        return format_html('<a href="{}">{}</a>', claim.current_verdict.factcheck_url(), "View")

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
            links.insert(0, (verdict.factcheck_url(), name))
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

    @admin.action(description="Mark selected claims check-worthy", permissions=["triage"])
    def mark_checkworthy(self, request, queryset):
        run_moves(
            request,
            queryset,
            lambda claim: workflow.claim_mark_checkworthy(claim=claim, user=request.user),
            "Marked check-worthy",
        )

    @admin.action(description="Reject selected claims…", permissions=["triage"])
    def reject(self, request, queryset):
        def apply(data):
            run_moves(
                request,
                queryset,
                lambda claim: workflow.claim_reject(claim=claim, user=request.user, reason=data["reason"]),
                "Rejected",
            )

        return form_action(self, request, queryset, ReasonForm, "Reject claims", apply)

    @admin.action(description="Assign selected claims to me", permissions=["take"])
    def assign_to_me(self, request, queryset):
        run_moves(
            request,
            queryset,
            lambda claim: workflow.claim_assign(claim=claim, user=request.user, assignee=request.user),
            "Assigned to you",
        )

    @admin.action(description="Assign selected claims to a reviewer…", permissions=["assign"])
    def assign(self, request, queryset):
        def apply(data):
            assignee = data["assignee"]
            run_moves(
                request,
                queryset,
                lambda claim: workflow.claim_assign(claim=claim, user=request.user, assignee=assignee),
                f"Assigned to {assignee}",
            )

        return form_action(self, request, queryset, AssignForm, "Assign claims", apply)

    @admin.action(description="Submit the draft verdict of selected claims for review", permissions=["submit"])
    def submit_for_review(self, request, queryset):
        run_moves(
            request,
            queryset,
            lambda claim: workflow.verdict_submit(
                verdict=latest_verdict(claim, VerdictStatus.DRAFT), user=request.user
            ),
            "Submitted for review",
        )

    @admin.action(description="Approve and publish the verdict in review of selected claims", permissions=["publish"])
    def approve_and_publish(self, request, queryset):
        run_moves(
            request,
            queryset,
            lambda claim: workflow.verdict_publish(
                verdict=latest_verdict(claim, VerdictStatus.IN_REVIEW), editor=request.user
            ),
            "Published the verdict on",
        )

    @admin.action(description="Retract the current verdict of selected claims…", permissions=["retract"])
    def retract(self, request, queryset):
        def apply(data):
            run_moves(
                request,
                queryset,
                lambda claim: workflow.verdict_retract(
                    verdict=latest_verdict(claim, VerdictStatus.PUBLISHED), editor=request.user, reason=data["reason"]
                ),
                "Retracted the verdict on",
            )

        return form_action(self, request, queryset, ReasonForm, "Retract verdicts", apply)


def export_current_verdicts(claims: QuerySet, format_name: str):
    """The claims' current fact-checks, which are public: whoever exports them may see them."""
    verdicts = Verdict.objects.current().filter(claim__in=claims)
    return streaming_response(FORMATS[format_name], verdicts.order_by("pk"))


def latest_verdict(claim: Claim, status: str) -> Verdict:
    """The verdict that the claim list's actions act on: the claim's current fact-check, or its newest
    verdict in ``status``."""
    if status == VerdictStatus.PUBLISHED:
        verdict = claim.current_verdict
    else:
        verdict = claim.verdicts.filter(status=status).order_by("-created_at", "-pk").first()
    if verdict is None:
        label = VerdictStatus(status).label.lower()
        raise workflow.IllegalMoveError(f"Claim {claim.pk} has no verdict that is {label}.")
    return verdict


class VerdictAdminForm(forms.ModelForm):
    """The verdict form carries the version it was read at, so a save never overwrites someone else's."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "summary", "body", "url", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["read_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        read_version = cleaned.get("read_version")
        if self.instance.pk and read_version is not None and read_version != self.instance.version:
            raise ValidationError(
                "Someone else saved this verdict while you were editing it. "
                "Open it again to see their changes, then make yours."
            )
        return cleaned


@admin.register(Verdict)
class VerdictAdmin(RolePermissions, SimpleHistoryAdmin):
    form = VerdictAdminForm
    list_display = ["__str__", "claim_text", "rating", "status", "author", "approved_by", "published_at"]
    list_select_related = ["claim", "rating", "author", "approved_by"]
    list_filter = ["status", "rating", ("author", admin.RelatedOnlyFieldListFilter), "publisher_name"]
    search_fields = ["headline", "summary", "claim__text"]
    autocomplete_fields = ["claim"]
    readonly_fields = [
        "status",
        "claim_evidence",
        "author",
        "approved_by",
        "published_at",
        "retracted_at",
        "retraction_reason",
        "corrects",
        "publisher_name",
        "publisher_url",
        "version",
    ]
    fieldsets = [
        (None, {"fields": ["claim", "claim_evidence", "rating", "headline", "summary", "body"]}),
        ("Publication", {"fields": ["url", "language"]}),
        ("Workflow", {"fields": ["status", "author", "approved_by", "published_at", "corrects"]}),
        ("Retraction", {"fields": ["retracted_at", "retraction_reason"], "classes": ["collapse"]}),
        ("Imported", {"fields": ["publisher_name", "publisher_url", "version"], "classes": ["collapse"]}),
    ]
    actions = ["submit_for_review", "send_back", "publish", "retract", "export_csv", "export_claimreview"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(verdict=obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # A verdict stays on the claim it was drafted for (``workflow.verdict_update``).
        return [*self.readonly_fields, "claim"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            user = request.user

            class NewVerdictForm(form):
                def clean_claim(self):
                    claim = self.cleaned_data["claim"]
                    try:
                        workflow.ensure_can_draft(claim=claim, user=user)
                    except workflow.WorkflowError as error:
                        raise ValidationError(str(error)) from error
                    return claim

            return NewVerdictForm
        return form

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = form.cleaned_data["read_version"] or obj.version
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.Meta.fields}
            workflow.verdict_update(verdict=obj, user=request.user, changes=changes)
        else:
            workflow.verdict_create(verdict=obj, author=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The workflow has the last word on a save: what it refuses is reported, and nothing is saved."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="Claim")
    def claim_text(self, verdict):
        return str(verdict.claim)

    @admin.display(description="Evidence on the claim")
    def claim_evidence(self, verdict):
        evidence = verdict.claim.evidence.all() if verdict.claim_id else []
        if not evidence:
            return "None yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} <a href="{}" rel="noopener noreferrer">{}</a> — {}</li>',
                ((e.get_stance_display(), e.url, e.title, e.excerpt) for e in evidence),
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        moves = workflow.moves_for(obj, request.user) if obj else []
        context["verdict_moves"] = [
            (move.capitalize(), reverse("admin:claims_verdict_move", args=[obj.pk, MOVE_SLUGS[move]])) for move in moves
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        move_view = self.admin_site.admin_view(self.move_view)
        return [path("<int:object_id>/move/<slug:move>/", move_view, name="claims_verdict_move"), *super().get_urls()]

    def move_view(self, request, object_id, move):
        """Confirm a workflow move on one verdict, then make it with the version that was shown."""
        verdict = get_object_or_404(Verdict, pk=object_id)
        if move not in SLUG_MOVES or not self.has_view_permission(request, verdict):
            raise PermissionDenied
        move_name = SLUG_MOVES[move]
        needs_reason = workflow.VERDICT_MOVES[move_name].needs_reason
        form = MoveForm(request.POST or None, needs_reason=needs_reason, initial={"read_version": verdict.version})
        change_url = reverse("admin:claims_verdict_change", args=[verdict.pk])
        if request.method == "POST" and form.is_valid():
            verdict.version = form.cleaned_data["read_version"]
            try:
                result = workflow.verdict_move(
                    verdict=verdict, user=request.user, move=move_name, reason=form.cleaned_data.get("reason", "")
                )
            except workflow.WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Verdict {verdict.pk}: {move_name} done.")
                return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[result.pk]))
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{move_name.capitalize()}: {verdict}",
            "form": form,
            "verdict": verdict,
            "move_name": move_name,
            "change_url": change_url,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/verdict/move.html", context)

    @admin.action(description="Submit selected verdicts for review", permissions=["submit"])
    def submit_for_review(self, request, queryset):
        run_moves(
            request, queryset, lambda v: workflow.verdict_submit(verdict=v, user=request.user), "Submitted for review"
        )

    @admin.action(description="Send selected verdicts back to their authors", permissions=["send_back"])
    def send_back(self, request, queryset):
        run_moves(request, queryset, lambda v: workflow.verdict_send_back(verdict=v, user=request.user), "Sent back")

    @admin.action(description="Approve and publish selected verdicts", permissions=["publish"])
    def publish(self, request, queryset):
        run_moves(request, queryset, lambda v: workflow.verdict_publish(verdict=v, editor=request.user), "Published")

    @admin.action(description="Retract selected verdicts…", permissions=["retract"])
    def retract(self, request, queryset):
        def apply(data):
            run_moves(
                request,
                queryset,
                lambda v: workflow.verdict_retract(verdict=v, editor=request.user, reason=data["reason"]),
                "Retracted",
            )

        return form_action(self, request, queryset, ReasonForm, "Retract verdicts", apply)

    @admin.action(description="Export selected verdicts as CSV")
    def export_csv(self, request, queryset):
        return streaming_response(FORMATS["csv"], queryset.order_by("pk"))

    @admin.action(description="Export the published ones of selected verdicts as ClaimReview")
    def export_claimreview(self, request, queryset):
        return streaming_response(FORMATS["claimreview"], queryset.order_by("pk"))


MOVE_SLUGS = {name: name.replace(" ", "-") for name in workflow.VERDICT_MOVES}
SLUG_MOVES = {slug: name for name, slug in MOVE_SLUGS.items()}


class MoveForm(forms.Form):
    read_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "claim", "stance", "kind", "publisher", "published_on"]
    list_select_related = ["claim"]
    list_filter = ["stance", "kind"]
    search_fields = ["title", "url", "excerpt", "claim__text"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["added_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
