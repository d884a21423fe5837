"""What needs the supplier's attention on its dashboard: pieces it could have financed now, and
its invoices the buyer disputed."""

from datetime import date

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from invoices.models import InvoiceStatus
from organisations.models import Organisation
from portal.kit.attention import AttentionList, AttentionRow, attention_list
from portal.kit.currencies import amount_text

from .selectors import disputed_invoices, financeable_pieces


def supplier_attention(organisation: Organisation, today: date) -> list[AttentionList]:
    return [
        attention_list(
            key="financeable", title=gettext_lazy("pieces you could finance now"),
            rows=financeable_pieces(organisation, today),
            row=lambda piece: AttentionRow(
                _("%(number)s from %(buyer)s: %(amount)s, due %(due)s") % {
                    "number": piece.invoice.number, "buyer": piece.invoice.buyer.name,
                    "amount": amount_text(piece.amount, piece.invoice.currency), "due": piece.invoice.due_date,
                },
                reverse("portal:supplier:piece", args=[piece.pk]),
            ),
            more_url=reverse("portal:supplier:receivables") + "?" + urlencode({"status": InvoiceStatus.CONFIRMED}),
        ),
        attention_list(
            key="disputed", title=gettext_lazy("invoices disputed by the buyer"),
            rows=disputed_invoices(organisation),
            row=lambda invoice: AttentionRow(
                _("%(number)s to %(buyer)s: %(amount)s") % {
                    "number": invoice.number, "buyer": invoice.buyer.name,
                    "amount": amount_text(invoice.amount, invoice.currency),
                },
                reverse("portal:supplier:invoice", args=[invoice.pk]),
            ),
            more_url=reverse("portal:supplier:invoices") + "?" + urlencode({"status": InvoiceStatus.DISPUTED}),
        ),
    ]
