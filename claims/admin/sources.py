"""Sources, and the claims proposed from a source's stored text (``claims.intake``)."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.saving import RaceSafeAdmin
from claims.intake.extraction import extract
from claims.intake.proposals import extracted_claims_save
from claims.models import Source


@admin.register(Source)
class SourceAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
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
