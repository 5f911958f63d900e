"""The claim queue's filters beyond Django's own: current rating, publisher, assignee."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from claims.models import Rating, Source


class CurrentRatingFilter(admin.SimpleListFilter):
    title = "current rating"
    parameter_name = "rating"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [(rating.slug, rating.label) for rating in Rating.objects.all()] + [(self.NONE, "No published verdict")]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(current_verdict__isnull=True)
        if self.value():
            return queryset.filter(current_verdict__rating__slug=self.value())
        return queryset


class PublisherFilter(admin.SimpleListFilter):
    title = "publisher"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        publishers = Source.objects.exclude(publisher="").order_by("publisher").values_list("publisher", flat=True)
        return [(name, name) for name in publishers.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(source__publisher=self.value()) if self.value() else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"
    ME, NOBODY = "me", "nobody"

    def lookups(self, request, model_admin):
        assignees = get_user_model().objects.filter(assigned_claims__isnull=False).distinct().order_by("username")
        return [(self.ME, "Assigned to me"), (self.NOBODY, "Unassigned")] + [(str(u.pk), str(u)) for u in assignees]

    def queryset(self, request, queryset):
        if self.value() == self.ME:
            return queryset.filter(assignee=request.user)
        if self.value() == self.NOBODY:
            return queryset.filter(assignee__isnull=True)
        if self.value():
            return queryset.filter(assignee_id=self.value())
        return queryset
