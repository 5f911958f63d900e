"""Two ways through a list: numbered pages to browse, a cursor to walk all of it.

``?page=N`` answers with a total ``count``; ``?cursor=`` (empty for the first page) answers with
``next`` links only and keeps each page as cheap as the first, by seeking on the id instead of
counting past the rows before it.
"""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

from claims.selection import is_id, is_whole_number

MAX_PAGE_SIZE = 100
CURSOR_ORDERINGS = ("-id", "id")


class StrictPageSize:
    """A page size that is not a positive whole number is refused, not silently replaced by the default."""

    def get_page_size(self, request):
        sent = request.query_params.get(self.page_size_query_param)
        if sent is not None and not (is_whole_number(sent) and int(sent) > 0):
            raise ValidationError({"page_size": f"Expected a whole number from 1 (at most {MAX_PAGE_SIZE} are used)."})
        return super().get_page_size(request)


class PageNumbers(StrictPageSize, pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_number(self, request, paginator):
        sent = request.query_params.get(self.page_query_param)
        if sent is not None and not is_whole_number(sent):
            raise ValidationError({"page": f"Expected a page number from 1, not {sent!r}."})
        return super().get_page_number(request, paginator)


class IdCursor(StrictPageSize, pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor and cursor.position is not None and not is_id(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError({"page": "A cursor walks the list on its own: leave out page."})
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        ordering = request.query_params.get("ordering") or "-id"
        if ordering not in CURSOR_ORDERINGS:
            raise ValidationError({"ordering": f"A cursor walks a list by id: use ordering=-id or id, not {ordering}."})
        return (ordering,)


class ListPagination(pagination.BasePagination):
    """Numbered pages unless the request has a ``cursor`` parameter."""

    def __init__(self):
        self.pages = PageNumbers()
        self.cursor = IdCursor()
        self.active = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        self.active = self.cursor if self.cursor.cursor_query_param in request.query_params else self.pages
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.active.get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        parameters = self.pages.get_schema_operation_parameters(view)
        cursor = self.cursor.get_schema_operation_parameters(view)[0]
        cursor["description"] = "Walk the list by id instead of numbered pages; empty for the first page."
        return [*parameters, cursor]

    def get_paginated_response_schema(self, schema):
        response = self.pages.get_paginated_response_schema(schema)
        response["required"] = ["results"]
        response["properties"]["count"]["description"] = "Total number of results; absent when walking by cursor."
        return response
