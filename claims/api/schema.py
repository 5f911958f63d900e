"""How drf-spectacular describes this API where it cannot tell by itself."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS


class NewsroomAutoSchema(AutoSchema):
    def get_auth(self):
        """Reads are open to anonymous callers (the records they may see), so their security includes "none"."""
        auths = super().get_auth()
        from claims.api.views import RolePermissions  # imported late: the views module is loaded after settings

        if self.method in SAFE_METHODS and any(isinstance(p, RolePermissions) for p in self.view.get_permissions()):
            auths.append({})
        return auths

    def get_filter_backends(self):
        """An export is not a list, yet it takes the verdict list's filters: document them too."""
        if getattr(self.view, "export_format", None) is not None:
            return self.view.filter_backends
        return super().get_filter_backends()
