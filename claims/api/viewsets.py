"""The API's two kinds of ViewSet: lists and details of what the caller may see, and records that are
created and updated with If-Match, so that two people editing one record never overwrite each other."""

import hashlib
import json

from django.db import transaction
from django.shortcuts import get_object_or_404
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from claims.api.errors import PreconditionFailed, PreconditionRequired
from claims.api.permissions import ReadOpenWritesByRole
from claims.api.rendering import plan_for
from claims.models import sees_unpublished
from claims.selection import is_id


def etag_of(data) -> str:
    digest = hashlib.blake2b(json.dumps(data, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


class ReadViewSet(viewsets.GenericViewSet):
    """Lists and details of what the caller may see; details carry an ETag and answer If-None-Match.

    ``read_serializer_class`` renders for the public, ``staff_serializer_class`` (if any) for the
    newsroom's staff, and ``write_serializer_class`` takes what is sent.
    """

    permission_classes = [ReadOpenWritesByRole]
    read_serializer_class = None
    staff_serializer_class = None
    write_serializer_class = None
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def get_object(self):
        self.check_pk()
        return super().get_object()

    def check_pk(self):
        # An id that is not a number names no record: 404, as for any other missing one.
        if not is_id(str(self.kwargs.get("pk", ""))):
            raise NotFound(f"No {self.queryset.model.__name__} matches the given query.")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class or self.read_serializer_class
        return self.read_serializer_class_for_caller()

    def read_serializer_class_for_caller(self):
        if self.staff_serializer_class and sees_unpublished(self.request.user, self.queryset.model):
            return self.staff_serializer_class
        return self.read_serializer_class

    def read_serializer(self, instance):
        """The representation the caller reads, whatever the action: the answer to a write, and its ETag."""
        return self.read_serializer_class_for_caller()(instance, context=self.get_serializer_context())

    def list(self, request, *args, **kwargs):
        plan = plan_for(self.get_serializer_class())
        matching = self.filter_queryset(self.get_queryset())
        # The page's ids first, then its rows. Asked for the rows at once, with every table the list
        # shows joined in, PostgreSQL may walk the whole id index for one page of an old month's
        # claims (800 ms at 1M claims) rather than use the date index and sort what it finds (2 ms).
        keys = self.paginate_queryset(matching.values("id"))
        if keys is None:
            return Response(plan.represent(plan.rows(matching)))
        ids = [key["id"] for key in keys]
        rows = {row[plan.key]: row for row in plan.rows(self.get_queryset().filter(pk__in=ids))}
        # A record deleted between the two queries is left out of the page.
        return self.get_paginated_response(plan.represent(rows[pk] for pk in ids if pk in rows))

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = etag_of(data)
        if etag in _etags(request.headers.get("If-None-Match")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})


class EditableViewSet(ReadViewSet):
    """Creates, and updates that must send back the ETag they read (If-Match): a stale one gets 412."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def respond_with(self, instance, status_code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        data = self.read_serializer(instance).data
        return Response(data, status=status_code, headers={"ETag": etag_of(data)})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.respond_with(self.perform_create(serializer), status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        return serializer.save()

    def update(self, request, *args, partial=False, **kwargs):
        with transaction.atomic():
            instance = self.locked_object()
            self.check_if_match(request, instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.perform_update(serializer)
        return self.respond_with(instance)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, serializer):
        return serializer.save()

    def locked_object(self):
        self.check_pk()
        queryset = self.filter_queryset(self.get_queryset()).select_for_update(of=("self",))
        instance = get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, instance)
        return instance

    def check_if_match(self, request, instance, required=True):
        sent = request.headers.get("If-Match")
        if sent is None:
            if required:
                raise PreconditionRequired()
            return
        etags = _etags(sent)
        if "*" not in etags and etag_of(self.read_serializer(instance).data) not in etags:
            raise PreconditionFailed()


def _etags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}
