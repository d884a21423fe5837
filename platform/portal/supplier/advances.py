"""The supplier's financing: its requests with the automated decisions (price and terms, or the
reason for a rejection in words), and the cash it received, as advances and as repayments."""

from django.shortcuts import render

from financing.models import FinancingStatus
from financing.reasons import reject_reason_sentence
from organisations.models import Role
from organisations.selectors import names_only
from portal.access import organisation, role_required
from portal.figures import annualised_yield
from portal.kit import tracking
from portal.kit.paging import paginate

from .selectors import advances_received, cash_totals, financing_requests, repayments_claimed

ROLES = (Role.SUPPLIER,)


@role_required(*ROLES)
def financing(request):
    page, query = paginate(request, names_only(financing_requests(organisation(request)), "lender", "piece__invoice__buyer"))
    actions = tracking.financing_actions([row.pk for row in page if row.status == FinancingStatus.REQUESTED])
    for row in page:
        row.payout = row.advance - row.discount if row.status == FinancingStatus.APPROVED else None
        row.yearly_rate = annualised_yield(row.advance, row.discount, row.tenor_days)
        row.reason_sentence = reject_reason_sentence(row.reject_reason) if row.reject_reason else ""
        row.action = actions.get(row.pk)
    return render(request, "portal/supplier/financing.html", {"page": page, "query": query})


@role_required(*ROLES)
def cash(request):
    """Totals per currency, then one list, a page at a time: the advances received, or (with
    ?show=claims) the repayments collected."""
    holder = organisation(request)
    showing_claims = request.GET.get("show") == "claims"
    rows = repayments_claimed(holder) if showing_claims else advances_received(holder)
    page, query = paginate(request, rows)
    if not showing_claims:
        for row in page:
            row.payout = row.advance - row.discount
    return render(request, "portal/supplier/cash.html", {
        "totals": cash_totals(holder).by_currency,
        "showing_claims": showing_claims,
        "page": page,
        "query": query,
    })
