"""URL routes: the portal, the admin, /healthz (the chain app's health report, in full for a
monitor or a verified admin or auditor) and the REST API under /api/ (config/api_urls.py)."""

from django.contrib import admin
from django.urls import include, path

from api.healthz import healthz_view
from chain.health import health_report
from organisations.models import Role

urlpatterns = [
    path("", include("portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz_view(report=health_report, detail_roles={Role.ADMIN, Role.AUDITOR}), name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
]
