"""Public pages: the fact-checks and the verdict report."""

from django.urls import path

from claims.public import views

urlpatterns = [
    path("factchecks/", views.factcheck_index, name="factcheck-index"),
    path("factchecks/<slug:slug>/", views.factcheck_page, name="factcheck"),
    path("reports/verdicts/", views.verdict_report, name="verdict-report"),
    path("methodology/", views.methodology, name="methodology"),
]
