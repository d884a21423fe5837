"""The menu of the signed-in user's role, for the base template; before its organisation's KYC is
approved, only the pages it may open (portal.access.kyc_gate)."""

from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from organisations.models import Role
from organisations.selectors import kyc_refusal

MENUS = {
    Role.SUPPLIER: [
        (_("Dashboard"), "portal:supplier:dashboard"),
        (_("Invoices"), "portal:supplier:invoices"),
        (_("Upload invoice"), "portal:supplier:upload"),
        (_("Receivables"), "portal:supplier:receivables"),
        (_("Financing"), "portal:supplier:financing"),
        (_("Cash received"), "portal:supplier:cash"),
    ],
    Role.CORE_FIRM: [
        (_("Dashboard"), "portal:core_firm:dashboard"),
        (_("Inbox"), "portal:core_firm:inbox"),
        (_("Payables"), "portal:core_firm:payables"),
        (_("Payables calendar"), "portal:core_firm:calendar"),
        (_("Exposure"), "portal:core_firm:exposure"),
    ],
    Role.LENDER: [
        (_("Dashboard"), "portal:lender:dashboard"),
        (_("Programmes"), "portal:lender:programmes"),
        (_("Portfolio"), "portal:lender:portfolio"),
        (_("Decision log"), "portal:lender:decisions"),
    ],
    Role.ADMIN: [
        (_("Dashboard"), "portal:operator:dashboard"),
        (_("Participants"), "portal:operator:participants"),
        (_("Chain health"), "portal:operator:chain"),
        (_("Receivables"), "portal:operator:receivables"),
        (_("Possible duplicates"), "portal:operator:duplicates"),
    ],
    Role.AUDITOR: [
        (_("Dashboard"), "portal:operator:dashboard"),
        (_("Participants"), "portal:operator:participants"),
        (_("Chain health"), "portal:operator:chain"),
        (_("Receivables"), "portal:operator:receivables"),
        (_("Possible duplicates"), "portal:operator:duplicates"),
    ],
}
COMMON = [
    (_("Team"), "portal:team"), (_("KYC documents"), "portal:kyc"), (_("API tokens"), "portal:tokens"),
    (_("Security"), "portal:otp-setup"),
]
BEFORE_KYC = [(_("KYC documents"), "portal:kyc"), (_("Team"), "portal:team"), (_("Security"), "portal:otp-setup")]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.organisation_id:
        return {"menu": []}
    unvetted = kyc_refusal(user.organisation, writes=False) is not None
    path = request.path
    return {"menu": [
        {"label": label, "url": url, "active": path == url}
        for label, url in _menu(None if unvetted else user.role, get_script_prefix())
    ]}


@cache
def _menu(role: str | None, _script_prefix: str) -> tuple[tuple[str, str], ...]:
    """A role's menu (None: an organisation not yet vetted) with its URLs, resolved once: every
    page shows it, and the URLs change only with the prefix the platform is served under."""
    items = BEFORE_KYC if role is None else MENUS.get(role, []) + COMMON
    return tuple((label, reverse(name)) for label, name in items)
