from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import exports, jobs, tokens, views
from claims.outputs.formats import FORMATS

router = DefaultRouter()
router.register("claims", views.ClaimViewSet)
router.register("verdicts", views.VerdictViewSet)
router.register("evidence", views.EvidenceViewSet)
router.register("speakers", views.SpeakerViewSet)
router.register("sources", views.SourceViewSet)
router.register("ratings", views.RatingViewSet)
router.register("topics", views.TopicViewSet)
router.register("jobs", jobs.JobViewSet)

urlpatterns = [
    path("v1/", include(router.urls)),
    *(
        path(f"v1/exports/{export.filename}", exports.export_view(name), name=f"export-{name}")
        for name, export in FORMATS.items()
    ),
    path("v1/exports/download/<str:token>/", jobs.ExportDownloadView.as_view(), name="export-download"),
    path("v1/auth/token/", tokens.TokenLoginView.as_view(), name="token-login"),
    path("v1/auth/tokens/", tokens.TokenListView.as_view(), name="token-list"),
    path("v1/auth/tokens/<str:key>/", tokens.TokenRevokeView.as_view(), name="token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/", include("rest_framework.urls")),
]
