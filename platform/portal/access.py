"""Who may open a portal page: a signed-in member of an organisation with one of the page's roles.
What a page shows is narrowed further by the selectors, always by organisation, so another
organisation's object answers 404."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from organisations.models import Organisation


def role_required(*roles: str):
    """Lets the view run only for users of an organisation whose role is one of `roles`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise PermissionDenied(_("This page is for other roles than yours."))
            return view(request, *args, **kwargs)

        wrapper.portal_roles = roles  # read by the permission matrix test
        return wrapper

    return decorator


def organisation(request) -> Organisation:
    return request.user.organisation
