"""Who may do what through the API: reads are open (each queryset hides what the caller may not see),
writes need the model permission of the caller's role, and workflow moves are the workflow's call."""

from rest_framework import permissions


class ReadOpenWritesByRole(permissions.DjangoModelPermissions):
    """Anyone reads (the queryset hides what they may not see); writing needs the role's model permission."""

    authenticated_users_only = False

    def has_permission(self, request, view):
        # A method the endpoint does not offer is refused as such (405), whoever asks.
        if getattr(view, "action", "") is None:
            return True
        return super().has_permission(request, view)


class MovePermissions(permissions.IsAuthenticated):
    """Workflow actions need a user; whether the role and the record's state allow the move is the workflow's call."""
