"""API access: a signed-in user (session or organisation token) who belongs to an organisation
whose KYC allows the request (organisations.selectors.kyc_refusal: nothing before approval,
reads only while suspended). What each one may see is narrowed further by the selectors, always
by organisation."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .selectors import kyc_refusal


class MemberOfAnOrganisation(BasePermission):
    message = "Only users of an organisation on the platform can use the API."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.organisation_id):
            return False
        refusal = kyc_refusal(request.user.organisation, writes=request.method not in SAFE_METHODS)
        if refusal is not None:
            self.message = refusal
            return False
        return True
