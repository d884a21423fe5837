"""The lender's overview pages: dashboard, portfolio of financed pieces (with a write-off button on
those of defaulted invoices) and the decision log."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from financing.models import FinancingRequest, FinancingStatus, Programme
from financing.reasons import reject_reason_sentence
from financing.services import write_off_refusal
from invoices.pending import pieces_pending
from organisations.models import Role
from organisations.selectors import names_only
from portal import charts, figures
from portal.access import organisation, role_required
from portal.kit.activity import recent_activity

from . import selectors
from .attention import lender_attention

ROLES = (Role.LENDER,)
PAGE_SIZE = 50
RECENT_ACTIONS = 8


@role_required(*ROLES)
def dashboard(request):
    lender = organisation(request)
    period = figures.period_from(request.GET.get("period"))
    programmes = Programme.objects.filter(lender=lender)
    approved = FinancingRequest.objects.filter(lender=lender, status=FinancingStatus.APPROVED)
    return render(request, "portal/lender/dashboard.html", {
        "attention": lender_attention(lender),
        "activity": recent_activity(lender, RECENT_ACTIONS),
        "figures": selectors.dashboard_figures(lender, timezone.localdate()),
        "period": period,
        "exposure_chart": charts.series(
            "exposure-by-core-firm", "bar", _("Exposure by core firm"), figures.exposure_by_core_firm(programmes)
        ),
        "volume_chart": charts.series(
            "financing-volume", "line", _("Financing volume over time"), figures.financing_volume(approved, period)
        ),
    })


@role_required(*ROLES)
def portfolio(request):
    today = timezone.localdate()
    lender = organisation(request)
    financed = selectors.portfolio(lender, today)
    bucket = request.GET.get("bucket", "")
    bucket = bucket if bucket in selectors.BUCKET_LABELS else ""
    summary = selectors.portfolio_summary(financed, today, bucket)
    paginator = Paginator(financed.filter(selectors.bucket_filters(today)[bucket]) if bucket else financed, PAGE_SIZE)
    paginator.count = summary.counts[bucket or "all"]  # counted with the summary already
    page = paginator.get_page(request.GET.get("page"))
    writing_off = selectors.write_offs_in_flight(lender)
    pending = pieces_pending([row.piece for row in page])
    for row in page:
        row.being_paid = pending[row.piece.pk].being_paid
        row.annualised_yield = figures.annualised_yield(row.advance, row.discount, row.tenor_days)
        row.bucket_label = selectors.BUCKET_LABELS[row.bucket]
        row.write_off_queued = (row.piece.invoice.fingerprint, row.piece.index) in writing_off
        # Only a defaulted invoice's piece may be written off: the other buckets need not ask.
        row.can_write_off = (
            row.bucket == "defaulted" and row.piece.holder_id == lender.pk and not row.write_off_queued
            and write_off_refusal(row.piece) is None
        )
    return render(request, "portal/lender/portfolio.html", {
        "page": page,
        "query": urlencode({"bucket": bucket}) if bucket else "",
        "bucket": bucket,
        "buckets": [(name, label, summary.counts[name]) for name, label in selectors.BUCKET_LABELS.items()],
        "totals": summary.totals,
        "ladder_chart": charts.series(
            "maturity-ladder", "bar", _("Maturity ladder: face value still to collect"), summary.ladder
        ),
    })


@role_required(*ROLES)
def decisions(request):
    status = request.GET.get("status", "")
    requests = (
        FinancingRequest.objects.filter(lender=organisation(request))
        .select_related("piece__invoice__buyer", "holder")
        .order_by("-created_at", "-pk")
    )
    requests = names_only(requests, "piece__invoice__buyer", "holder")
    if status in FinancingStatus.values:
        requests = requests.filter(status=status)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    for decision in page:
        decision.reason_text = reject_reason_sentence(decision.reject_reason) if decision.reject_reason else ""
        decision.annualised_yield = figures.annualised_yield(decision.advance, decision.discount, decision.tenor_days)
    return render(request, "portal/lender/decisions.html", {
        "page": page,
        "query": urlencode({"status": status}) if status in FinancingStatus.values else "",
        "status": status,
        "statuses": FinancingStatus.choices,
    })
