"""The reference data behind claims: topics, speakers and the rating scale."""

from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.admin.saving import RaceSafeAdmin, WrittenByTheApp
from claims.models import FactCheckEvent, Methodology, Rating, Speaker, SpeakerAlias, Topic


@admin.register(Topic)
class TopicAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    extra = 1
    fields = ["name"]
    verbose_name = "other name"
    verbose_name_plural = "Other names (claims proposed from articles and imports that name them go to this speaker)"


@admin.register(Speaker)
class SpeakerAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "role", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "role", "affiliation", "aliases__name"]
    inlines = [SpeakerAliasInline]


@admin.register(Rating)
class RatingAdmin(RaceSafeAdmin, SimpleHistoryAdmin):
    list_display = ["label", "value", "swatch", "slug"]
    prepopulated_fields = {"slug": ["label"]}

    @admin.display(description="Colour")
    def swatch(self, rating):
        return format_html('<span style="display:inline-block;width:2em;background:{}">&nbsp;</span>', rating.color)


@admin.register(Methodology)
class MethodologyAdmin(SimpleHistoryAdmin):
    """The text of the public methodology page: one, written by a migration and edited in place."""

    fields = ["introduction", "process", "corrections_policy", "how_to_request_a_correction", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FactCheckEvent)
class FactCheckEventAdmin(WrittenByTheApp, admin.ModelAdmin):
    """What readers were told and when: the workflow writes it, nobody edits it."""

    list_display = ["happened_at", "kind", "verdict", "note", "by"]
    list_select_related = ["verdict", "by"]
    list_filter = ["kind"]
    search_fields = ["note", "verdict__headline", "claim__text"]
    date_hierarchy = "happened_at"
