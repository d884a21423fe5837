"""GET /healthz: 200 when a health report is ok, 503 otherwise. Anyone (a load balancer) learns
only that, as {"ok": ...}; the report itself (lags, versions, error messages) goes to a monitor that
sends the monitoring token (`Authorization: Bearer <HEALTH_MONITORING_TOKEN>`) and to a signed-in
user of the roles the wiring names, with a verified second factor. The report, and so what is
checked, is the wiring's too (config/urls.py)."""

import hmac
from collections.abc import Callable, Collection

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _monitor(request: HttpRequest) -> bool:
    expected = settings.HEALTH_MONITORING_TOKEN
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())  # constant time: no guessing by timing


def healthz_view(*, report: Callable[[], dict], detail_roles: Collection[str]):
    """The view of `report` (a function answering {"ok": bool, "checks": {...}}), whose checks
    verified users of `detail_roles` may read."""

    def _operator(request: HttpRequest) -> bool:
        user = request.user
        return user.is_authenticated and user.is_verified() and user.role in detail_roles

    @never_cache
    @require_GET
    def healthz(request):
        found = report()
        status = 200 if found["ok"] else 503
        if _monitor(request) or _operator(request):
            return JsonResponse(found, status=status)
        return JsonResponse({"ok": found["ok"]}, status=status)

    return healthz
