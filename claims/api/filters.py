"""The API's filter backend over the filter sets of ``claims.selection``."""

from django_filters.rest_framework import DjangoFilterBackend

from claims.selection import parameter_names


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds and validates a form on every request, skipped for a
    request that names none of the filters: most requests of a cursor walk."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not parameter_names(filterset_class) & request.query_params.keys():
            return queryset
        return super().filter_queryset(request, queryset, view)
