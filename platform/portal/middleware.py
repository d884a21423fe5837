"""The organisation's time zone for everything a request shows, and two-factor enforcement.

Two-factor enforcement. A user whose role requires it (lenders, admins, auditors, and Django
staff) reaches nothing but the sign-in and second-factor pages until the session is verified
with a TOTP code; the API answers 403 to such a session. Organisation API tokens are not
sessions: they pass (their creator was verified when creating them)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device

OPEN_PATHS = ("/static/", "/i18n/", "/healthz")


def two_factor_required(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.role in settings.TWO_FACTOR_REQUIRED_ROLES))


class TwoFactorRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not two_factor_required(user) or user.is_verified() or self._open(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Verify this session with your authenticator code first.")}, status=403)
        target = "portal:otp-verify" if user_has_device(user) else "portal:otp-setup"
        return redirect(f"{reverse(target)}?next={request.get_full_path()}")

    @staticmethod
    def _open(path: str) -> bool:
        second_factor = (reverse("portal:otp-verify"), reverse("portal:otp-setup"), reverse("portal:logout"))
        return path.startswith(OPEN_PATHS) or path in second_factor


class OrganisationTimeZone:
    """Pages show dates and times, and judge "today", in the user's organisation's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organisation = getattr(request.user, "organisation", None) if request.user.is_authenticated else None
        if organisation is None:
            return self.get_response(request)
        timezone.activate(ZoneInfo(organisation.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
