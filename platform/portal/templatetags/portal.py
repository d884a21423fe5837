"""Presentation helpers: amounts in micro-units shown in currency units with their currency,
statuses as badges, moments with their time zone."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chain.accounts import account_name as _account_name
from portal.kit.currencies import amount_text
from portal.kit.moments import FORMATS, moment_text

register = template.Library()

BADGE = {  # status -> colour class
    "submitted": "wait", "queued": "wait", "requested": "wait", "sent": "wait", "signed": "wait",
    "registered": "info", "mined": "info",
    "confirmed": "good", "approved": "good", "repaid": "good",
    "disputed": "bad", "rejected": "bad", "failed": "bad", "defaulted": "bad", "reverted": "bad",
    "overdue": "warn", "pending": "warn", "suspended": "bad",
}


@register.filter
def money(micro, currency=None) -> str:
    """1234560000, 1 -> '1,234.56 USDC': micro-units in currency units, two decimals, and the
    currency, given by its id (an invoice's `currency`) or its code. Without a currency, the
    number alone, for a column whose heading names the currency."""
    if micro is None or micro == "":
        return "–"
    return amount_text(micro, currency)


@register.filter
def bps(value) -> str:
    """450 -> '4.50%'."""
    if value is None:
        return "–"
    return f"{Decimal(int(value)) / 100:.2f}%"


@register.simple_tag
def badge(status: str, label: str = "") -> str:
    """A status as a coloured badge. Built here rather than included from a template: lists show
    one a row, and an include costs a template render each."""
    return format_html('<span class="badge {}" data-status="{}">{}</span>', BADGE.get(status, "info"), status,
                       label or status)


@register.simple_tag
def invoice_marks(invoice) -> str:
    """What the buyer, the lender and the admin must see wherever an invoice appears: whether its
    fields were checked against an e-invoice, and whether it may duplicate an earlier one. A tag
    rather than an include, as `badge` is: lists show them on every row."""
    marks = []
    if not invoice.verified_from_einvoice:
        marks.append(format_html(
            ' <span class="badge warn" data-testid="not-verified" title="{}">{}</span>',
            _("Submitted with a plain PDF or a scan: its fields were typed, not read from a UBL or Factur-X invoice."),
            _("Not verified from an e-invoice"),
        ))
    if invoice.possible_duplicate_of_id:
        marks.append(format_html(' <span class="badge bad" data-testid="possible-duplicate">{}</span>', _("Possible duplicate")))
    return mark_safe("".join(marks))


@register.simple_tag
def piece_pending(pending, currency: str) -> str:
    """What queued actions are doing to a piece the organisation holds, in words, beside its
    settled figures (invoices.pending.PiecePending); currency is its code. A tag, as `badge` is."""
    if pending is None or not pending.any:
        return ""
    parts = []
    if pending.transferring:
        parts.append(_("being transferred"))
    if pending.splitting:
        parts.append(_("%(amount)s %(currency)s being split off") % {"amount": money(pending.splitting), "currency": currency})
    words = format_html("{}", "".join(parts))
    if pending.financing:
        words = format_html("{}{}{}", words, " · " if pending.moving else "", _("being financed"))
    if pending.being_paid:
        paid = _("%(amount)s %(currency)s being paid") % {"amount": money(pending.being_paid), "currency": currency}
        words = format_html('{}{}<span data-testid="piece-being-paid">{}</span>', words,
                            " · " if pending.moving or pending.financing else "", paid)
    return format_html('<small class="help" data-testid="piece-pending">{}</small>', words)


@register.filter
def short_hash(value: str) -> str:
    return f"{value[:10]}…{value[-6:]}" if value and len(value) > 20 else value


@register.filter(expects_localtime=True)
def day(value) -> str:
    """A date, or a moment's day in the active zone, as `|date:"Y-m-d"` writes it: '2026-12-03';
    '' if none. Written directly rather than through Django's date format (lists show one a row)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


@register.filter
def moment(value, precision: str = "minutes") -> str:
    """A datetime in the organisation's zone, with the zone: '2026-12-03 20:15 UTC+08:00'; '' if none.
    `precision` is "minutes" or "seconds"."""
    if not value:
        return ""
    if precision not in FORMATS:
        raise template.TemplateSyntaxError(f"moment: precision must be one of {sorted(FORMATS)}, not {precision!r}")
    return moment_text(value, precision)


@register.filter
def account_name(account) -> str:
    """A signing account as a reader knows it: its organisation, or the platform's operator or risk oracle."""
    return _account_name(account) if account else "–"
