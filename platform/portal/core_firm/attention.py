"""What needs the core firm's attention on its dashboard: invoices to confirm, payables due within
a week with what is still owed, and the currencies in which its account cannot cover its dues."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from organisations.models import Organisation
from portal.kit.attention import AttentionList, AttentionRow, attention_list
from portal.kit.currencies import amount_text
from portal.kit.filters import OUTSTANDING

from .selectors import DUE_WITHIN_DAYS, Cover, due_within_a_week, to_confirm


def _invoice_row(text: str, invoice) -> AttentionRow:
    return AttentionRow(text, reverse("portal:core_firm:invoice", args=[invoice.pk]))


def _short_cover(cover: list[Cover]) -> AttentionList:
    short = [row for row in cover if row.short and row.owed]
    calendar = reverse("portal:core_firm:calendar")
    return AttentionList(
        key="cover", title=str(gettext_lazy("currencies where your account cannot pay all you owe")),
        count=len(short),
        rows=[
            AttentionRow(
                _("%(currency)s: you owe %(owed)s; your account holds %(balance)s and lets the platform collect "
                  "%(allowance)s") % {
                    "currency": row.currency, "owed": amount_text(row.owed, row.currency),
                    "balance": amount_text(row.balance, row.currency) if row.balance is not None else _("(not read yet)"),
                    "allowance": _("without limit") if row.unlimited_allowance else (
                        amount_text(row.allowance, row.currency) if row.allowance is not None else _("(not read yet)")
                    ),
                },
                calendar,
            )
            for row in short
        ],
    )


def core_firm_attention(organisation: Organisation, today: date, cover: list[Cover]) -> list[AttentionList]:
    payables = reverse("portal:core_firm:payables")
    week = {"status": OUTSTANDING, "due_from": today, "due_to": today + timedelta(days=DUE_WITHIN_DAYS)}
    return [
        attention_list(
            key="to-confirm", title=gettext_lazy("invoices to confirm"), rows=to_confirm(organisation),
            row=lambda invoice: _invoice_row(_("%(number)s from %(seller)s: %(amount)s, due %(due)s") % {
                "number": invoice.number, "seller": invoice.seller.name,
                "amount": amount_text(invoice.amount, invoice.currency), "due": invoice.due_date,
            }, invoice),
            more_url=reverse("portal:core_firm:inbox"),
        ),
        attention_list(
            key="due-soon", title=gettext_lazy("payables due within 7 days"),
            rows=due_within_a_week(organisation, today),
            row=lambda invoice: _invoice_row(_("%(number)s to %(seller)s: %(owed)s still owed, due %(due)s") % {
                "number": invoice.number, "seller": invoice.seller.name,
                "owed": amount_text(invoice.owed, invoice.currency), "due": invoice.due_date,
            }, invoice),
            more_url=f"{payables}?{urlencode(week)}",
        ),
        _short_cover(cover),
    ]
