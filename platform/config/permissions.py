"""API access: a signed-in user (session or organisation token) who belongs to an organisation.
What each one may see is narrowed further by the selectors, always by organisation."""

from rest_framework.permissions import BasePermission


class MemberOfAnOrganisation(BasePermission):
    message = "Only users of an organisation on the platform can use the API."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.organisation_id)
