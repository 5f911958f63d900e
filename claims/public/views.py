"""Public pages: each published fact-check with its ClaimReview, their index, and the verdict report.

They show what the caller may see (``visible_to``): the public reads published fact-checks and
their retractions; the newsroom's staff may also report on verdicts not yet published.
"""

import json

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from claims.models import Topic, Verdict, sees_unpublished
from claims.outputs import charts
from claims.outputs.claimreview import claim_reviews
from claims.outputs.formats import FORMATS
from claims.outputs.report import VerdictReport
from claims.selection import SelectionError, chosen_verdicts

FACTCHECKS_PER_PAGE = 50

# JSON inside <script> must not be able to close the element or open a comment.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


def factcheck_index(request):
    """The newsroom's latest fact-checks, newest first: those imported from others have no page here."""
    current = (
        Verdict.objects.visible_to(request.user)
        .current()
        .own()
        .select_related("rating", "claim__speaker")
        .latest_first()
    )
    page = Paginator(current, FACTCHECKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "claims/factcheck_index.html", {"page": page})


def factcheck_page(request, slug):
    """A published fact-check, or a retracted one with its notice; its ClaimReview if it is current."""
    verdict = (
        Verdict.objects.visible_to(request.user)
        .filter(slug=slug)
        .select_related(
            "rating", "claim__speaker", "claim__source", "claim__first_appearance", "claim__current_verdict"
        )
        .first()
    )
    if verdict is None:
        raise Http404("No fact-check is published at this address.")
    claim = verdict.claim
    is_current = claim.current_verdict_id == verdict.pk
    context = {
        "verdict": verdict,
        "claim": claim,
        "evidence": claim.evidence.all(),
        "history": Verdict.objects.visible_to(request.user)
        .filter(claim=claim)
        .exclude(slug="")
        .select_related("rating")
        .order_by("published_at"),
        "replaced_by": None if is_current else claim.current_verdict,
        "json_ld": _json_ld(verdict) if is_current else None,
    }
    return render(request, "claims/factcheck.html", context)


def _json_ld(verdict: Verdict) -> str:
    (record,) = claim_reviews(Verdict.objects.filter(pk=verdict.pk))
    return mark_safe(json.dumps(record, ensure_ascii=False, indent=2).translate(_SCRIPT_SAFE))  # noqa: S308 (escaped)


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
        report = VerdictReport.of(chosen_verdicts(user=request.user, params=params))
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
