"""The operator's and auditor's overview pages: the platform dashboard and the chain's health;
and the progress of any queued action."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chain.health import chain_health
from chain.models import ChainAction
from financing.models import FinancingRequest, FinancingStatus, Programme
from organisations.models import Role
from portal import charts, figures
from portal.access import role_required

from . import selectors
from .attention import operator_attention

ROLES = (Role.ADMIN, Role.AUDITOR)


@role_required(*ROLES)
def dashboard(request):
    period = figures.period_from(request.GET.get("period"))
    approved = FinancingRequest.objects.filter(status=FinancingStatus.APPROVED)
    return render(request, "portal/operator/dashboard.html", {
        "attention": operator_attention(timezone.now()),
        "organisations": selectors.organisation_figures(),
        "invoices": selectors.invoice_figures(),
        "financing": selectors.financing_figures(),
        "period": period,
        "exposure_chart": charts.series(
            "exposure-by-core-firm", "bar", _("Exposure by core firm"),
            figures.exposure_by_core_firm(Programme.objects.all()),
        ),
        "volume_chart": charts.series(
            "financing-volume", "line", _("Financing volume over time"), figures.financing_volume(approved, period)
        ),
    })


@role_required(*ROLES)
def chain(request):
    """The chain's health; HTMX refreshes the panel every 5 seconds."""
    template = "portal/operator/_chain_panel.html" if request.htmx else "portal/operator/chain.html"
    return render(request, template, {"health": chain_health()})


@role_required(*ROLES)
def action_progress(request, action_id: int):
    action = get_object_or_404(ChainAction.objects.select_related("transaction"), pk=action_id)
    return render(request, "portal/components/chain_progress.html", {"action": action, "poll_url": request.path})
