"""Which roles may call an action of a viewset. The viewset names them (`roles`, `action_roles`)
and the project's roles they are among (`role_choices`); a caller of another role gets a 403 that
says who may call it. Whether a caller may use the API at all is the project's rule
(REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES)."""

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


class RoleAllowed(BasePermission):
    """Lets through the roles the view allows for the action at hand; the others get a 403 that
    says who may call it."""

    def has_permission(self, request, view) -> bool:
        allowed = view.allowed_roles()
        if allowed is None or request.user.role in allowed:
            return True
        self.message = _("Only a %(allowed)s can do this; your organisation is a %(role)s.") % {
            "allowed": view.role_names(allowed),
            "role": view.role_names([request.user.role]),
        }
        return False


class RolesByAction:
    """Viewset mixin: `roles` may call every action (None: any role), `action_roles` overrides it
    for single actions; `role_choices`, the choices the roles are values of, names them."""

    roles: tuple[str, ...] | None = None
    action_roles: dict[str, tuple[str, ...]] = {}
    role_choices: type[TextChoices]

    def allowed_roles(self) -> tuple[str, ...] | None:
        return self.action_roles.get(self.action, self.roles)

    def role_names(self, roles) -> str:
        return _(" or ").join(str(self.role_choices(role).label).lower() for role in roles)

    def get_permissions(self):
        return [*super().get_permissions(), RoleAllowed()]
