"""The reference data behind claims: topics, speakers and the rating scale."""

from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.models import Rating, Speaker, Topic


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Speaker)
class SpeakerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "role", "affiliation"]
    list_filter = ["kind"]
    search_fields = ["name", "role", "affiliation"]


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    list_display = ["label", "value", "swatch", "slug"]
    prepopulated_fields = {"slug": ["label"]}

    @admin.display(description="Colour")
    def swatch(self, rating):
        return format_html('<span style="display:inline-block;width:2em;background:{}">&nbsp;</span>', rating.color)
