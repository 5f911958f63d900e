"""Verdict review: drafts edited through the workflow, moves confirmed one verdict at a time, the verdict list's
actions, and other fact-checkers' ClaimReview uploaded to be imported by a job (``claims.jobs.imports``)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims import workflow
from claims.admin.actions import (
    REFUSALS,
    MoveActionsAdmin,
    ReasonForm,
    SendBackForm,
    move_action,
    move_slug,
    quoted,
    record_page,
    refusal,
)
from claims.intake.claimreview.importing import may_import
from claims.jobs.imports import start_claimreview_import
from claims.models import Evidence, HttpUrlField, Verdict
from claims.outputs.formats import FORMATS, streaming_response
from claims.workflow import Move

VERDICT_MOVE_ACTIONS = [
    move_action(
        Move.SUBMIT,
        name="submit_for_review",
        description="Submit selected verdicts for review",
        done="Submitted for review",
    ),
    move_action(
        Move.SEND_BACK,
        name="send_back",
        description="Send selected verdicts back to their authors…",
        form=SendBackForm,
        title="Send verdicts back",
        done="Sent back",
    ),
    move_action(Move.PUBLISH, name="publish", description="Approve and publish selected verdicts", done="Published"),
    move_action(
        Move.RETRACT,
        name="retract",
        description="Retract selected verdicts…",
        form=ReasonForm,
        title="Retract verdicts",
        done="Retracted",
    ),
]
# The verdict page's moves by the slug in their address (/move/send-back/).
SLUG_MOVES = {move_slug(move): move for move in workflow.VERDICT_MOVES}


class VerdictAdminForm(forms.ModelForm):
    """The verdict form carries the version it was read at, so a save never overwrites someone else's."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Verdict
        fields = ["claim", "rating", "headline", "summary", "body", "url", "language", "change_kind", "change_note"]
        fields += ["evidence"]
        widgets = {"evidence": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["read_version"].initial = self.instance.version
        if "evidence" in self.fields:
            # A verdict cites evidence of its own claim; a new one, all of it unless some is unticked.
            claim = self.instance.claim_id or self.initial.get("claim") or self.data.get("claim")
            self.fields["evidence"].queryset = (
                Evidence.objects.filter(claim=claim) if claim else Evidence.objects.none()
            )
            if not self.instance.pk:
                self.initial.setdefault("evidence", list(self.fields["evidence"].queryset))

    def clean(self):
        cleaned = super().clean()
        read_version = cleaned.get("read_version")
        if self.instance.pk and read_version is not None and read_version != self.instance.version:
            raise ValidationError(
                "Someone else saved this verdict while you were editing it. "
                "Open it again to see their changes, then make yours."
            )
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation shows it; cleaned into a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple) and data:
            return [clean_one(item, initial) for item in data]
        return [clean_one(data or None, initial)]  # none chosen: refused as a required field is


class ClaimReviewUploadForm(forms.Form):
    """ClaimReview to import: JSON-LD, feeds, Google Fact Check Tools answers, or fact-check pages that embed it."""

    files = MultipleFileField(
        help_text="JSON-LD (one record, an array, @graph, DataFeed), a Fact Check Tools claims:search answer, or "
        "fact-check pages saved as HTML; UTF-8. Fact-checks imported before are left as they are."
    )
    base_url = forms.URLField(
        label="Read from",
        required=False,
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 80, "placeholder": "https://"}),
        help_text="Where the files come from, to resolve their relative addresses against when a page names no "
        "address of its own (no canonical link, no og:url).",
    )

    def clean_base_url(self):
        base_url = self.cleaned_data["base_url"]
        if base_url:
            HttpUrlField().run_validators(base_url)
        return base_url

    def clean_files(self):
        files = self.cleaned_data["files"]
        size = sum(upload.size for upload in files)
        if size > settings.IMPORT_UPLOAD_MAX_BYTES:
            raise ValidationError(
                f"The files weigh {size:,} bytes, more than the {settings.IMPORT_UPLOAD_MAX_BYTES:,} allowed."
            )
        return files


@admin.register(Verdict)
class VerdictAdmin(MoveActionsAdmin, SimpleHistoryAdmin):
    form = VerdictAdminForm
    list_display = ["__str__", "claim_text", "rating", "status", "author", "approved_by", "published_at"]
    list_select_related = ["claim", "rating", "author", "approved_by"]
    list_filter = ["status", "rating", ("author", admin.RelatedOnlyFieldListFilter), "publisher_name"]
    search_fields = ["headline", "summary", "claim__text"]
    autocomplete_fields = ["claim"]
    readonly_fields = [
        "status",
        "review_comment",
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
        (None, {"fields": ["claim", "review_comment", "rating", "headline", "summary", "body", "evidence"]}),
        ("What this version changes", {"fields": ["change_kind", "change_note"]}),
        ("Publication", {"fields": ["url", "language"]}),
        ("Workflow", {"fields": ["status", "author", "approved_by", "published_at", "corrects"]}),
        ("Retraction", {"fields": ["retracted_at", "retraction_reason"], "classes": ["collapse"]}),
        ("Imported", {"fields": ["publisher_name", "publisher_url", "version"], "classes": ["collapse"]}),
    ]
    actions = [*VERDICT_MOVE_ACTIONS, "export_csv", "export_claimreview"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not workflow.may_edit(verdict=obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # A verdict stays on the claim it was drafted for (``workflow.verdict_update``).
        return [*self.readonly_fields, "claim"] if obj else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        # Only a correction or an update says what it changes.
        if obj is not None and obj.corrects_id:
            return self.fieldsets
        return [fieldset for fieldset in self.fieldsets if "change_note" not in fieldset[1]["fields"]]

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
            workflow.verdict_create(verdict=obj, author=request.user, evidence=form.cleaned_data.get("evidence"))

    def save_related(self, request, form, formsets, change):
        """The workflow has saved the citations with the verdict (``save_model``)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The workflow has the last word on a save: what it refuses is reported, and nothing is saved."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            messages.error(request, refusal(error))
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="Claim")
    def claim_text(self, verdict):
        return str(verdict.claim)

    @admin.display(description="Sent back")
    def review_comment(self, verdict):
        """Why the draft came back from review, for its author to read where they edit it."""
        sent_back = verdict.pk and verdict.status == Verdict.Status.DRAFT and last_sent_back(verdict)
        if not sent_back:
            return "-"
        when, who, comment = sent_back
        return format_html("<strong>{}</strong> sent it back on {}: {}", who, when, comment)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        moves = workflow.moves_for(obj, request.user) if obj else []
        context["verdict_moves"] = [
            (move.capitalize(), reverse("admin:claims_verdict_move", args=[obj.pk, move_slug(move)])) for move in moves
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        move_view = self.admin_site.admin_view(self.move_view)
        import_view = self.admin_site.admin_view(self.import_view)
        return [
            path("<int:object_id>/move/<slug:move>/", move_view, name="claims_verdict_move"),
            path("import/", import_view, name="claims_verdict_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": may_import(request.user)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """The page "Import ClaimReview": the files go to a job that imports them (``claims.jobs.imports``)."""
        if not may_import(request.user):
            raise PermissionDenied
        form = (
            ClaimReviewUploadForm(request.POST, request.FILES) if request.method == "POST" else ClaimReviewUploadForm()
        )
        if request.method == "POST" and form.is_valid():
            job = start_claimreview_import(
                form.cleaned_data["files"], base_url=form.cleaned_data["base_url"], user=request.user
            )
            names = ", ".join(upload.name for upload in form.cleaned_data["files"])
            messages.info(request, f"Importing {names}: this page shows how far it got.")
            return HttpResponseRedirect(reverse("admin:claims_job_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import other fact-checkers' ClaimReview",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/verdict/import.html", context)

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
                result = workflow.make_move(
                    verdict, user=request.user, move=move_name, reason=form.cleaned_data.get("reason", "")
                )
            except REFUSALS as error:
                messages.error(request, refusal(error))
            else:
                messages.success(request, f"{DONE[move_name]} {quoted(verdict)}.")
                return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[result.pk]))
            return HttpResponseRedirect(change_url)
        return record_page(
            self,
            request,
            verdict,
            move_name,
            "admin/claims/verdict/move.html",
            form=form,
            readers_will_see=readers_will_see(verdict, move_name),
        )

    @admin.action(description="Export selected verdicts as CSV")
    def export_csv(self, request, queryset):
        return streaming_response(FORMATS["csv"], queryset.order_by("pk"))

    @admin.action(description="Export the published ones of selected verdicts as ClaimReview")
    def export_claimreview(self, request, queryset):
        return streaming_response(FORMATS["claimreview"], queryset.order_by("pk"))


class MoveForm(forms.Form):
    read_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


# What a move on the verdict page did, as its message says it.
DONE = {
    Move.SUBMIT: "Submitted for review:",
    Move.SEND_BACK: "Sent back to its author:",
    Move.PUBLISH: "Published",
    Move.RETRACT: "Retracted",
    Move.REINSTATE: "Reinstated",
    Move.CORRECT: "Started a correction of",
}


def readers_will_see(verdict: Verdict, move: Move) -> str:
    """What a move changes on the public page, said before it is made."""
    page = verdict.claim.factcheck_address() if verdict.claim.slug else "the claim's new fact-check page"
    if verdict.publisher_name:
        return "Nothing: this is another fact-checker's verdict, recorded as they published it."
    if move == Move.PUBLISH and verdict.corrects_id:
        return (
            f"At {page}: this version, as the fact-check, with the note “{verdict.change_note}” dated today at the "
            "top of its corrections; the version it corrects stays listed there with its rating and headline."
        )
    if move == Move.PUBLISH:
        return f"At {page}: this fact-check, with its rating, and its ClaimReview for search engines."
    if move == Move.RETRACT:
        return (
            f"At {page}, which keeps its address: “This fact-check was retracted on” today's date, with your reason; "
            "the rating no longer shown as a rating, no ClaimReview, and a request to search engines not to index "
            "it. No earlier version becomes the fact-check again."
        )
    if move == Move.REINSTATE:
        return (
            f"At {page}: this version as the fact-check again, with your reason dated today in its list of "
            "changes; the version shown until now stays listed there."
        )
    if move == Move.CORRECT:
        return (
            f"Nothing yet: readers keep seeing this version at {page} until an editor publishes the correction, "
            "which starts as a draft copy of it."
        )
    if verdict.claim.slug:
        return f"Nothing yet: readers keep seeing what {page} shows now until an editor publishes a new version."
    return "Nothing yet: readers see a verdict once an editor publishes it."


def last_sent_back(verdict: Verdict) -> tuple | None:
    """When, by whom and why the verdict was last sent back, from its history."""
    prefix = f"{Move.SEND_BACK.capitalize()}: "
    record = verdict.history.filter(history_change_reason__startswith=prefix).select_related("history_user").first()
    if record is None:
        return None
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user else "An editor"
    return f"{record.history_date:%d %B %Y}", who, record.history_change_reason.removeprefix(prefix)
