from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from claims.api import views
from claims.exports.formats import FORMATS

router = DefaultRouter()
router.register("claims", views.ClaimViewSet)
router.register("verdicts", views.VerdictViewSet)
router.register("evidence", views.EvidenceViewSet)
router.register("speakers", views.SpeakerViewSet)
router.register("sources", views.SourceViewSet)
router.register("ratings", views.RatingViewSet)
router.register("topics", views.TopicViewSet)

urlpatterns = [
    path("v1/", include(router.urls)),
    *(
        path(f"v1/exports/{export.filename}", views.export_view(name), name=f"export-{name}")
        for name, export in FORMATS.items()
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/", include("rest_framework.urls")),
]
