"""The portal while on-chain actions are paused (the indexer halted: the chain is not the history
the database mirrors). Every signed-in user sees a banner saying so; the platform's operators
(admins, auditors) read why in it, with both heads. A page that did not show a service's refusal
on its form (ChainPaused) sends the user back where they were, with the refusal as a message:
nothing of the request was stored."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from chain.halt import ChainPaused, chain_halt
from organisations.models import Role

OPERATOR_ROLES = (Role.ADMIN, Role.AUDITOR)


def chain_pause(request) -> dict:
    """The banner's context, for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    halted = chain_halt()
    if halted is None:
        return {}
    operator = user.role in OPERATOR_ROLES
    return {"chain_pause": {"explanation": halted.explanation if operator else "", "operator": operator}}


class ChainPausedRefusal:
    """Turns a ChainPaused that no view caught into the page the user came from, with the refusal
    shown (an HTMX request reloads its page to show it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ChainPaused) or request.path.startswith("/api/"):
            return None
        messages.error(request, exception.messages[0])
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = reverse("portal:home")  # not the request's own address: it may take only POSTs
        return redirect(back)
