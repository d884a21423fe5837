"""GET /healthz: the health report as JSON, 200 when every check passes, 503 otherwise. Meant for
load balancers and monitoring; restrict it to them at the reverse proxy."""

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chain.health import health_report


@never_cache
@require_GET
def healthz(request):
    try:
        report = health_report()
    except DatabaseError as error:
        report = {"ok": False, "checks": {"database": {"ok": False, "error": str(error)[:200]}}}
    return JsonResponse(report, status=200 if report["ok"] else 503)
