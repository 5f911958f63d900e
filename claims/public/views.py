"""Public pages: each claim's fact-check with its ClaimReview, their index, the verdict report and
the methodology.

They show what the caller may see (``visible_to``): the public reads published fact-checks, their
corrections and their retractions; the newsroom's staff may also report on verdicts not yet
published. A fact-check page shows the version on display as an editor approved it: the claim as
it was then (``Verdict.shown``), the evidence it cites, and the log of what changed since.
"""

import datetime
import json

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from claims.models import (
    Claim,
    FactCheckEvent,
    Methodology,
    Rating,
    Topic,
    Verdict,
    sees_unpublished,
)
from claims.outputs import charts
from claims.outputs.claimreview import claim_reviews
from claims.outputs.formats import FORMATS
from claims.outputs.report import VerdictReport
from claims.public.throttling import throttled
from claims.selection import SelectionError, chosen_for_report

FACTCHECKS_PER_PAGE = 50

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


@throttled("pages")
def factcheck_index(request):
    """The newsroom's latest fact-checks, newest first: those imported from others have no page here."""
    current = Verdict.objects.visible_to(request.user).current().own().select_related("rating", "claim").latest_first()
    page = Paginator(current, FACTCHECKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "claims/factcheck_index.html", {"page": page})


@throttled("pages")
def factcheck_page(request, slug):
    """A claim's fact-check at its one address: the version on display, or its retraction notice,
    with every correction, update, retraction and reinstatement; ClaimReview only while it stands.
    A version's own former address leads here for good."""
    claim = Claim.objects.visible_to(request.user).filter(slug=slug).first()
    if claim is None:
        return _moved(request, slug)
    verdict = claim.factcheck_on_display()
    if verdict is None:
        raise Http404("No fact-check is published at this address.")
    verdict.claim = claim
    standing = verdict.status == Verdict.Status.PUBLISHED
    events = list(claim.factcheck_events.select_related("verdict__rating"))
    context = {
        "verdict": verdict,
        "shown": verdict.shown,
        "claim_date": datetime.date.fromisoformat(verdict.shown["claim_date"]) if verdict.shown["claim_date"] else None,
        "standing": standing,
        "evidence": verdict.evidence.all(),
        "events": events,
        "first_published": next((e for e in reversed(events) if e.kind == FactCheckEvent.Kind.PUBLISHED), None),
        "last_change": next((e for e in events if e.kind != FactCheckEvent.Kind.PUBLISHED), None),
        "json_ld": _json_ld(verdict) if standing else None,
    }
    return render(request, "claims/factcheck.html", context)


def _moved(request, slug):
    """The address a version had before its fact-check kept one address: a permanent redirect."""
    version = Verdict.objects.visible_to(request.user).own().filter(slug=slug).exclude(claim__slug="").first()
    if version is None or version.claim.slug == slug:
        raise Http404("No fact-check is published at this address.")
    return redirect("factcheck", version.claim.slug, permanent=True)


@throttled("pages")
def methodology(request):
    """How the newsroom rates, checks, approves and corrects, with the rating scale as it is."""
    context = {"methodology": Methodology.objects.first(), "ratings": Rating.objects.all()}
    return render(request, "claims/methodology.html", context)


def _json_ld(verdict: Verdict) -> str:
    (record,) = claim_reviews(Verdict.objects.filter(pk=verdict.pk))
    return mark_safe(json.dumps(record, ensure_ascii=False, indent=2).translate(_SCRIPT_SAFE))  # noqa: S308 (escaped)


@throttled("report")
def verdict_report(request):
    """Totals, ratings, ratings by speaker and verdicts over time for the fact-checks the filters choose."""
    # A form sends its empty fields; they mean "any", where the API refuses an empty filter.
    params = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        params.setlist(name, [value for value in values if value])
        if not params.getlist(name):
            del params[name]
    context = {
        "params": params,
        "topics": Topic.objects.visible_to(request.user),
        "staff": sees_unpublished(request.user, Verdict),
        "statuses": Verdict.Status.choices,
    }
    try:
        report = VerdictReport.of(chosen_for_report(user=request.user, params=params))
    except SelectionError as error:
        return render(request, "claims/report.html", {**context, "errors": error.errors}, status=400)
    query = f"?{params.urlencode()}" if params else ""
    others = params.copy()
    others.pop("speaker", None)
    context |= {
        "speaker_query": f"?{others.urlencode()}&speaker=" if others else "?speaker=",
        "report": report,
        "rating_chart": charts.rating_chart(report),
        "speaker_chart": charts.speaker_chart(report),
        "month_chart": charts.month_chart(report),
        "downloads": [(export.filename, reverse(f"export-{name}") + query) for name, export in FORMATS.items()],
    }
    return render(request, "claims/report.html", context)
