"""Who may open a portal page: a signed-in member of an organisation with one of the page's roles,
and whose organisation's KYC lets it (organisations.selectors.kyc_refusal: before approval only
the profile and KYC documents pages, which say so with `before_kyc=True`). What a page shows is
narrowed further by the selectors, always by organisation, so another organisation's object
answers 404."""

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.selectors import kyc_refusal

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def kyc_gate(request) -> None:
    """Refuses (403, with the reason) a request that the user's organisation's KYC status does
    not allow: the one gate of the portal, called by role_required and member_required."""
    organisation = request.user.organisation
    if organisation is None:
        return
    refusal = kyc_refusal(organisation, writes=request.method not in READ_METHODS)
    if refusal is not None:
        raise PermissionDenied(refusal)


def role_required(*roles: str, before_kyc: bool = False):
    """Lets the view run only for users of an organisation whose role is one of `roles`, and
    whose KYC allows the request (any status when `before_kyc`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise PermissionDenied(_("This page is for other roles than yours."))
            if not before_kyc:
                kyc_gate(request)
            return view(request, *args, **kwargs)

        wrapper.portal_roles = roles  # read by the permission matrix test
        return wrapper

    return decorator


def member_required(view):
    """For pages of every signed-in member, whatever the role, that its organisation's KYC must
    allow (the API tokens)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        kyc_gate(request)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def organisation(request) -> Organisation:
    return request.user.organisation
