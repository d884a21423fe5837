"""The core firm's planning pages: the payables calendar (a ladder of due weeks and the maturity
buckets, as a table and a chart) and its exposure to each lender that financed its invoices."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organisations.models import Role
from portal import charts
from portal.access import organisation, role_required
from portal.kit.currencies import CURRENCY_CODES
from portal.kit.filters import OUTSTANDING

from .selectors import exposure_by_lender, maturity_ladder, payables_by_week

ROLES = (Role.CORE_FIRM,)


def _currencies(owed_dicts) -> list[str]:
    seen = set().union(*owed_dicts) if owed_dicts else set()
    return [currency for currency in CURRENCY_CODES if currency in seen]


@role_required(*ROLES)
def calendar(request):
    buyer = organisation(request)
    today = timezone.localdate()
    weeks = payables_by_week(buyer, today)
    ladder = maturity_ladder(buyer, today)
    currencies = _currencies([week.owed for week in weeks] + [row.owed for row in ladder])
    payables_url = reverse("portal:core_firm:payables")
    for row in [*weeks, *ladder]:
        row.amounts = [row.owed.get(currency, 0) for currency in currencies]
    for week in weeks:
        week.past = week.ends < today
        week.url = f"{payables_url}?" + urlencode({"status": OUTSTANDING, "due_from": week.starts, "due_to": week.ends})
    chart = charts.chart(
        "maturity-ladder", "bar", _("Owed by time to maturity"), [row.label for row in ladder],
        [{"label": currency, "data": [row.owed.get(currency, 0) for row in ladder]} for currency in currencies],
    )
    return render(request, "portal/core_firm/calendar.html", {
        "weeks": weeks, "ladder": ladder, "chart": chart, "currencies": currencies,
    })


@role_required(*ROLES)
def exposure(request):
    rows = exposure_by_lender(organisation(request))
    lenders = dict.fromkeys((row["lender_id"], row["lender"]) for row in rows)  # namesakes stay apart
    owed = {lender_id: {} for lender_id, _name in lenders}
    for row in rows:
        owed[row["lender_id"]][row["currency"]] = row["outstanding"]
    currencies = _currencies(list(owed.values()))
    chart = charts.chart(
        "exposure-by-lender", "bar", _("Financed and not yet collected, per lender"), [name for _id, name in lenders],
        [{"label": currency, "data": [owed[lender_id].get(currency, 0) for lender_id, _name in lenders]}
         for currency in currencies],
    )
    return render(request, "portal/core_firm/exposure.html", {"rows": rows, "chart": chart})
