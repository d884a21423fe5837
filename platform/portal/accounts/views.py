"""Sign-in with a second factor, sign-up of new organisations, passwords, team invitations and API
tokens. Before its KYC is approved an organisation reaches its profile (the Team page, without
invitations) and its KYC documents (kyc.py) only: portal.access.kyc_gate."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from authenticators.models import EncryptedTOTPDevice
from organisations.models import ApiToken, Role
from organisations.selectors import kyc_refusal
from organisations.services import organisation_set_time_zone
from organisations.tokens import api_token_create, api_token_revoke
from portal.access import kyc_gate, member_required
from portal.kit.forms import TimeZoneForm, apply_errors
from users import services as people
from users.backends import PATH as SIGN_IN_BACKEND
from users.models import Invitation

from .forms import AcceptForm, CodeForm, InviteForm, SignUpForm, TokenForm
from .qr import qr_data_uri

HOME_BY_ROLE = {
    Role.SUPPLIER: "portal:supplier:dashboard",
    Role.CORE_FIRM: "portal:core_firm:dashboard",
    Role.LENDER: "portal:lender:dashboard",
    Role.ADMIN: "portal:operator:dashboard",
    Role.AUDITOR: "portal:operator:dashboard",
}


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def home(request):
    organisation = request.user.organisation
    if organisation is not None and kyc_refusal(organisation, writes=False) is not None:
        return redirect("portal:kyc")  # the one thing it can do before approval
    return redirect(HOME_BY_ROLE.get(request.user.role, "portal:team"))


def _code_refusal(device: EncryptedTOTPDevice, code: str) -> str | None:
    """None when the code is right; else why not, in words. Wrong codes slow further tries down
    (django-otp's throttling doubles the wait after each failure)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int(((details or {}).get("locked_until") or timezone.now()).timestamp() - timezone.now().timestamp()))
        return _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": wait}
    if device.verify_token(code):
        return None
    return _("This code is wrong or has expired. Try the one your app shows now.")


@login_required
def otp_verify(request):
    devices = list(EncryptedTOTPDevice.objects.devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect(reverse("portal:otp-setup"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusals = {}
        for device in devices:
            if (refusal := _code_refusal(device, form.cleaned_data["code"])) is None:
                otp_login(request, device)
                return redirect(_next(request, reverse("portal:home")))
            refusals[device] = refusal
        form.add_error("code", refusals[devices[0]])
    return render(request, "portal/accounts/otp_verify.html", {"form": form, "next": _next(request, "")})


@login_required
def otp_setup(request):
    """Adds a TOTP authenticator: a new device is confirmed by its first code."""
    if request.user.is_verified() or not EncryptedTOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        device, _created = EncryptedTOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "app"})
    else:
        return redirect(f"{reverse('portal:otp-verify')}?next={reverse('portal:otp-setup')}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = _code_refusal(device, form.cleaned_data["code"])
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return redirect(_next(request, reverse("portal:home")))
        form.add_error("code", refusal)
    return render(request, "portal/accounts/otp_setup.html", {
        "form": form,
        "qr": qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "next": _next(request, ""),
        "has_device": EncryptedTOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists(),
    })


def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.organisation_sign_up(**form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(request, _("Welcome. Your organisation is waiting for KYC review by the platform."))
            return redirect("portal:home")
    return render(request, "portal/accounts/sign_up.html", {"form": form})


def invitation_accept(request, token: str):
    try:
        invitation = people.invitation_open(token)
    except ValidationError as refusal:
        return render(request, "portal/accounts/invitation.html", {"error": refusal.messages[0]}, status=404)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            login(request, user, backend=SIGN_IN_BACKEND)
            return redirect("portal:home")
    return render(request, "portal/accounts/invitation.html", {"form": form, "invitation": invitation})


class PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    """A signed-in user's new password, checked against the password policy; the session stays
    signed in (Django updates its hash), the user's other sessions end."""

    template_name = "portal/accounts/password_change.html"
    success_url = reverse_lazy("portal:home")
    success_message = gettext_lazy("Your password is changed.")


@login_required
def team(request):
    organisation = request.user.organisation
    posted = request.method == "POST"
    zone_posted = posted and "time_zone" in request.POST
    form = InviteForm(request.POST if posted and not zone_posted else None)
    zone_form = TimeZoneForm(request.POST if zone_posted else None, initial={"time_zone": getattr(organisation, "time_zone", None)})
    link = None
    if posted and not zone_posted:
        kyc_gate(request)  # the profile is open before KYC approval; inviting people is not
    if zone_posted and zone_form.is_valid():
        zone = zone_form.cleaned_data["time_zone"]
        try:
            organisation_set_time_zone(organisation=organisation, time_zone=zone, changed_by=request.user)
        except ValidationError as refusal:
            apply_errors(zone_form, refusal)
        else:
            messages.success(request, _("Dates of your organisation are now judged in %(zone)s.") % {"zone": zone})
            return redirect("portal:team")
    elif posted and not zone_posted and form.is_valid():
        _invitation, link = people.invitation_create(
            invited_by=request.user, email=form.cleaned_data["email"],
            accept_url=lambda token: request.build_absolute_uri(reverse("portal:invitation", args=[token])),
        )
        messages.success(request, _("Invitation created. Send the link below; it works once, for 7 days."))
        form = InviteForm()
    return render(request, "portal/accounts/team.html", {
        "form": form,
        "zone_form": zone_form,
        "organisation": organisation,
        "link": link,
        "members": organisation.users.order_by("username") if organisation else [],
        "invitations": Invitation.objects.filter(organisation=organisation, accepted_by=None).select_related("invited_by"),
    })


@member_required
def tokens(request):
    form = TokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, key = api_token_create(created_by=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
        except ValidationError as refusal:
            apply_errors(form, refusal)
    return render(request, "portal/accounts/tokens.html", {
        "form": form,
        "key": key,
        "now": timezone.now(),
        "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
        "tokens": ApiToken.objects.filter(organisation=request.user.organisation).select_related("created_by"),
    })


@member_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, organisation=request.user.organisation)
    api_token_revoke(token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("portal:tokens")
