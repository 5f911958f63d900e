"""Saving from the admin: a form saved at the moment another editor, an import or an API client records the same
thing, and records that the app writes and nobody saves by hand."""

from functools import partial

from claims.models import again_if_raced


class RaceSafeAdmin:
    """A model admin whose add and change pages answer a save refused by a unique key with the form and the
    constraint's message, as they answer one that the form's own check refuses, instead of an error page.

    The form checks the keys before saving; a record with the same key stored by someone else between that
    check and the save makes the database refuse it. The page is then worked out once more (``again_if_raced``):
    its check now finds that record and says so.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return again_if_raced(partial(super().changeform_view, request, object_id, form_url, extra_context))


class WrittenByTheApp:
    """A model admin that shows records and never adds, changes or deletes them: the app writes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
