from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Fact-check tracker"
admin.site.site_title = "Fact-check tracker"
admin.site.index_title = "Newsroom desk"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.public.urls")),
]
