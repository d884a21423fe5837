"""GET /healthz: 200 when every check passes, 503 otherwise. Anyone (a load balancer) learns only
that, as {"ok": ...}; the checks themselves (lags, versions, error messages) go to a monitor that
sends the monitoring token (`Authorization: Bearer <HEALTH_MONITORING_TOKEN>`) and to a signed-in
admin or auditor with a verified second factor."""

import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chain.health import health_report
from api.redaction import redacted_line
from organisations.models import Role

DETAIL_ROLES = {Role.ADMIN, Role.AUDITOR}


def _monitor(request: HttpRequest) -> bool:
    expected = settings.HEALTH_MONITORING_TOKEN
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())  # constant time: no guessing by timing


def _operator(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_verified() and user.role in DETAIL_ROLES


@never_cache
@require_GET
def healthz(request):
    try:
        report = health_report()
    except DatabaseError as error:
        report = {"ok": False, "checks": {"database": {"ok": False, "error": redacted_line(str(error))[:200]}}}
    status = 200 if report["ok"] else 503
    if _monitor(request) or _operator(request):
        return JsonResponse(report, status=status)
    return JsonResponse({"ok": report["ok"]}, status=status)
