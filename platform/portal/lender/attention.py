"""What needs the lender's attention on its dashboard: programmes near their limit or short of
liquidity, and financing requests the chain has not decided yet."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from financing.models import FinancingStatus
from organisations.models import Organisation
from portal.kit.attention import AttentionList, AttentionRow, attention_list
from portal.kit.currencies import amount_text

from .selectors import programmes_near_limit, requests_awaiting


def _request_text(request) -> str:
    facts = {"holder": request.holder.name, "index": request.piece.index, "number": request.piece.invoice.number}
    if request.quoted_payout is None:  # asked before requests carried their price bound
        return _("%(holder)s asks for piece %(index)s of %(number)s") % facts
    return _("%(holder)s asks for piece %(index)s of %(number)s: %(payout)s at least") % {
        **facts, "payout": amount_text(request.quoted_payout, request.piece.invoice.currency),
    }


def lender_attention(lender: Organisation) -> list[AttentionList]:
    awaiting = reverse("portal:lender:decisions") + "?" + urlencode({"status": FinancingStatus.REQUESTED})
    return [
        attention_list(
            key="near-limit", title=gettext_lazy("programmes near their limit or short of liquidity"),
            rows=programmes_near_limit(lender),
            row=lambda programme: AttentionRow(
                _("%(core_firm)s: exposure %(exposure)s of %(limit)s, liquidity %(liquidity)s") % {
                    "core_firm": programme.core_firm.name,
                    "exposure": amount_text(programme.exposure, programme.currency),
                    "limit": amount_text(programme.limit, programme.currency),
                    "liquidity": amount_text(programme.liquidity, programme.currency),
                },
                reverse("portal:lender:programme", args=[programme.pk]),
            ),
            more_url=reverse("portal:lender:programmes"),
        ),
        attention_list(
            key="awaiting", title=gettext_lazy("financing requests awaiting the chain's decision"),
            rows=requests_awaiting(lender),
            row=lambda request: AttentionRow(_request_text(request), awaiting),
            more_url=awaiting,
        ),
    ]
