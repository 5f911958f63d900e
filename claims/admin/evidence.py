"""Evidence, also edited inline on its claim's page."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.saving import RaceSafeAdmin
from claims.models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
    list_display = ["title", "claim", "stance", "kind", "publisher", "published_on"]
    list_select_related = ["claim"]
    list_filter = ["stance", "kind"]
    search_fields = ["title", "url", "excerpt", "claim__text"]
    autocomplete_fields = ["claim"]
    readonly_fields = ["added_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        # What a verdict in review or published cites is on the record: read, never edited or deleted.
        return not (obj is not None and obj.is_frozen()) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_frozen()) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
