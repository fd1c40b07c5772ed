from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from jiuzhu.org.permissions import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Password log-in plus the permissions that come with the staff member's role."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:  # type: ignore[override]
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        granted = super().get_all_permissions(user_obj, obj)
        return set(granted) | set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), ()))
