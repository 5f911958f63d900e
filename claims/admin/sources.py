"""Sources: adding an article from its address (fetched by a job, ``claims.jobs.intake``) or its saved page
(``claims.intake.article_intake``), and the claims proposed from a source's stored text
(``claims.intake.extraction``)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.saving import RaceSafeAdmin
from claims.intake.article_intake import ArticleRefused, intake_article
from claims.intake.extraction import extract
from claims.intake.pages import FetchError
from claims.intake.proposals import extracted_claims_save
from claims.jobs.intake import start_article_intake
from claims.models import Job, Source
from claims.text import field_problems

PROPOSE_CLAIMS = "propose_claims"


class ArticleIntakeForm(forms.Form):
    """An article's address, or its saved page; and its date when the page states none or a wrong one."""

    # Not a URLField: intake itself says why an address is refused, in the same words everywhere.
    url = forms.CharField(
        label="Address",
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"size": 80, "placeholder": "https://"}),
        help_text="The article's address. It is fetched from the web (public addresses only).",
    )
    page = forms.FileField(
        label="Or its saved page",
        required=False,
        help_text="An HTML file saved from the browser, for an article that cannot be fetched (give its address "
        "above too, if you know it).",
    )
    published_on = forms.DateField(
        label="Published on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only if the page states no publication date, or a wrong one.",
    )

    def clean_page(self):
        page = self.cleaned_data.get("page")
        if page and page.size > settings.INTAKE_MAX_PAGE_BYTES:
            raise ValidationError(f"The file is larger than {settings.INTAKE_MAX_PAGE_BYTES:,} bytes.")
        return page

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("page") and not self.errors:
            raise ValidationError("Give the article's address or its saved page.")
        return cleaned


def intake_said(source: Source, *, created: bool) -> str:
    """What an article's intake did, for the editor."""
    return f"Added “{source}” as a new source." if created else f"“{source}” was already recorded: nothing was added."


# Where intake's refusals belong on the form: the saved page's problems on its field, the others where named.
FORM_FIELDS = {"html": "page", "url": "url", "published_on": "published_on"}


@admin.register(Source)
class SourceAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "published_on"
    search_fields = ["title", "url", "publisher"]
    actions = [PROPOSE_CLAIMS]

    def get_urls(self):
        intake = self.admin_site.admin_view(self.intake_view)
        proposals = self.admin_site.admin_view(self.proposals_view)
        return [
            path("intake/", intake, name="claims_source_intake"),
            path("<int:object_id>/proposals/", proposals, name="claims_source_proposals"),
            *super().get_urls(),
        ]

    def intake_view(self, request):
        """The page "Add an article from its address": an address already recorded leads to its source's proposed
        claims, another to the job that fetches it; a saved page is read and stored at once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ArticleIntakeForm(request.POST, request.FILES)
        else:  # "Try again" from a job that failed fills the form in as it was
            form = ArticleIntakeForm(initial=request.GET.dict())
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data.get("page"):
                source = self.intake(request, form)
            else:
                source = self.start_intake(request, form)
                if isinstance(source, Job):
                    return HttpResponseRedirect(reverse("admin:claims_job_change", args=[source.pk]))
            if source is not None:
                return HttpResponseRedirect(reverse("admin:claims_source_proposals", args=[source.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add an article from its address",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/source/intake.html", context)

    def start_intake(self, request, form: ArticleIntakeForm) -> Source | Job | None:
        """The source recorded at the form's address, or the job fetching it; None, with the form's error, if the
        address is not one intake fetches."""
        try:
            started = start_article_intake(
                form.cleaned_data["url"], published_on=form.cleaned_data.get("published_on"), user=request.user
            )
        except FetchError as error:
            form.add_error("url", str(error))
            return None
        if isinstance(started, Source):
            messages.info(request, intake_said(started, created=False))
        return started

    def intake(self, request, form: ArticleIntakeForm) -> Source | None:
        """The source stored (or already recorded) for the form's saved page; None, with the form's errors, if
        refused."""
        try:
            result = intake_article(
                form.cleaned_data.get("url", ""),
                html=form.cleaned_data["page"].read(),
                published_on=form.cleaned_data.get("published_on"),
                user=request.user,
                save=True,
            )
        except FetchError as error:
            form.add_error("url", str(error))
        except ArticleRefused as error:
            form.add_error(FORM_FIELDS.get(error.field), str(error))
        except ValidationError as error:
            form.add_error(None, f"The article cannot be stored: {field_problems(error.message_dict)}")
        else:
            level = messages.SUCCESS if result.created else messages.INFO
            messages.add_message(request, level, intake_said(result.source, created=result.created))
            return result.source
        form.add_error("page", "Choose the file again: browsers do not send it twice.")
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_propose_claims": self.has_propose_claims_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def proposals_view(self, request, object_id):
        """One source's candidate claims, to tick; the ticks go to the source list's "Propose claims" action."""
        source = get_object_or_404(Source, pk=object_id)
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        change = reverse("admin:claims_source_change", args=[source.pk])
        if not self.has_propose_claims_permission(request):
            return HttpResponseRedirect(change)
        proposals = self.proposals(request, [source])
        if not proposals:
            return HttpResponseRedirect(change)
        return self.proposals_page(request, proposals, form_action=reverse("admin:claims_source_changelist"))

    def has_propose_claims_permission(self, request):
        return request.user.has_perm("claims.add_claim")

    @admin.action(description="Propose claims from the stored text", permissions=["propose_claims"])
    def propose_claims(self, request, queryset):
        """List each source's candidate claims on a page of their own; store the ones the editor ticks."""
        proposals = self.proposals(request, queryset.order_by("pk"))
        if not proposals:
            return None
        if "apply" in request.POST:
            return self.save_proposals(request, proposals)
        return self.proposals_page(request, proposals)

    def proposals(self, request, sources) -> dict:
        proposals = {}
        for source in sources:
            if not source.text.strip() or not source.publisher:
                missing = "no stored text" if not source.text.strip() else "no publisher to speak its own voice"
                messages.warning(request, f"“{source}” has {missing}: no claims were proposed from it.")
                continue
            proposals[source] = extract(source.text, published_on=source.published_on, publisher=source.publisher)
        return proposals

    def proposals_page(self, request, proposals: dict, *, form_action: str = "") -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Propose claims from the stored text",
            "proposals": [(source, list(enumerate(candidates))) for source, candidates in proposals.items()],
            "action": PROPOSE_CLAIMS,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "form_action": form_action,
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
