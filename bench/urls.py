"""The app's URLs plus the plain views that benchmarks compare the API with."""

from django.http import JsonResponse
from django.urls import path

from claims.models import Claim, ClaimStatus
from factcheck.urls import urlpatterns as app_urlpatterns

CLAIM_VALUES = [
    "id",
    "text",
    "is_verbatim",
    "context",
    "claim_date",
    "claim_date_precision",
    "checkworthiness",
    "status",
    "created_at",
    "updated_at",
    "speaker__id",
    "speaker__name",
    "speaker__slug",
    "speaker__kind",
    "speaker__role",
    "speaker__affiliation",
    "speaker__same_as",
    "source__id",
    "source__title",
    "source__publisher",
    "source__url",
    "source__published_on",
    "source__kind",
    "first_appearance__id",
    "first_appearance__title",
    "first_appearance__url",
    "current_verdict__id",
    "current_verdict__headline",
    "current_verdict__summary",
    "current_verdict__url",
    "current_verdict__language",
    "current_verdict__published_at",
    "current_verdict__rating__id",
    "current_verdict__rating__label",
    "current_verdict__rating__slug",
    "current_verdict__rating__value",
    "current_verdict__rating__color",
    "current_verdict__rating__description",
]


def claims_values(request):
    """The page of published claims that the API's cursor list returns, straight from .values()."""
    page_size = int(request.GET.get("page_size", 50))
    claims = Claim.objects.filter(status=ClaimStatus.PUBLISHED).order_by("-id")
    if "before" in request.GET:
        claims = claims.filter(id__lt=int(request.GET["before"]))
    rows = list(claims.values(*CLAIM_VALUES)[:page_size])
    topics = Claim.topics.through.objects.filter(claim_id__in=[row["id"] for row in rows])
    by_claim = {}
    for link in topics.values("claim_id", "topic__id", "topic__name", "topic__slug"):
        by_claim.setdefault(link["claim_id"], []).append(link)
    for row in rows:
        row["topics"] = by_claim.get(row["id"], [])
    return JsonResponse({"results": rows})


urlpatterns = [*app_urlpatterns, path("bench/claims-values/", claims_values)]
