"""The quote each lender's programme gives a piece now: the contract's own answer
(CreditDesk.quoteFinancing, read through chain.quotes), the very decision the request then runs,
so the price a holder is shown and the price it is charged cannot differ.

A quote is what the holder sees before it asks, and the price bound it asks with
(financing.services.requests): should the terms or its rating change before the chain runs the
request, the chain rejects it below the payout the holder accepted and nothing moves.

The effective yearly rate is the discount over the cash paid (advance less discount), a simple
rate scaled from the tenor's days to a 365-day year: what the money the holder receives costs it
a year. It is above the programme's nominal rate, which applies to the advance."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chain import quotes as chain_quotes
from chain.errors import ChainRevert
from invoices.models import Piece
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations

from .models import Programme
from .reasons import REJECT_REASONS, reject_reason_sentence

DAYS_PER_YEAR = 365


class QuotesUnavailable(Exception):
    """No quote can be read now: the chain did not answer, or refused to quote. Said in words."""


@dataclass(frozen=True)
class Quote:
    """A lender's answer for a piece: its price (micro-units), or `reason`, the code of the
    contract's RejectReason it would reject the request with (as the mirror stores them). The
    figures the contract decided before a rejection (an advance over the limit, say) are kept."""

    lender: Organisation
    reason: str = ""
    advance: int = 0
    discount: int = 0
    tenor_days: int = 0
    min_rating: int = 0
    holder_rating: int = 0

    @property
    def approved(self) -> bool:
        return not self.reason

    @property
    def payout(self) -> int:
        """The cash paid to the holder: the advance less its discount."""
        return self.advance - self.discount

    @property
    def effective_yearly_rate(self) -> Decimal | None:
        """The discount over the cash paid, a year of 365 days (a fraction: 0.0575 is 5.75%);
        None without a price."""
        if self.payout <= 0 or self.tenor_days <= 0:
            return None
        return Decimal(self.discount) * DAYS_PER_YEAR / (Decimal(self.payout) * self.tenor_days)

    @property
    def effective_yearly_rate_bps(self) -> int | None:
        """The effective yearly rate in basis points, to the nearest one."""
        rate = self.effective_yearly_rate
        return None if rate is None else int((rate * 10_000).to_integral_value(ROUND_HALF_UP))

    @property
    def reason_sentence(self) -> str:
        return reject_reason_sentence(self.reason) if self.reason else ""


def open_programmes(piece: Piece) -> QuerySet[Programme]:
    """Open programmes of active lenders for the piece's buyer and currency, with their lender."""
    return (
        Programme.objects.filter(
            core_firm_id=piece.invoice.buyer_id, currency=piece.invoice.currency, limit__gt=0,
            lender__in=active_organisations(Role.LENDER),
        )
        .select_related("lender__chain_account")
        .order_by("lender__name", "pk")
    )


def _reason_code(reason: int) -> str:
    """The mirror's code of the contract's RejectReason; "" for None (approved)."""
    if reason == 0:
        return ""
    return REJECT_REASONS[reason] if reason < len(REJECT_REASONS) else str(reason)


def _contract_quotes(piece: Piece, lenders: list[Organisation]) -> list[Quote]:
    invoice = piece.invoice
    try:
        answer = chain_quotes.financing_quotes(
            fingerprint=invoice.fingerprint, index=piece.index,
            lenders=[lender.chain_account.address for lender in lenders],
            core_firm=invoice.buyer.chain_account.address, currency=invoice.currency,
        )
    except chain_quotes.ChainSilent as error:
        raise QuotesUnavailable(_("The chain does not answer just now, so no lender can quote: try again in a minute.")) from error
    except ChainRevert as error:
        raise QuotesUnavailable(_("The chain refuses to quote this piece now: %(reason)s") % {"reason": error.message}) from error
    return [
        Quote(lender, _reason_code(quoted.reason), quoted.advance, quoted.discount, quoted.tenor_days,
              quoted.min_rating, answer.holder_rating)
        for lender, quoted in zip(lenders, answer.quotes)
    ]


def piece_quotes(*, piece: Piece) -> list[Quote]:
    """The contract's quote of every open programme for the piece now, by lender name; [] with no
    open programme (and then no chain call). Raises QuotesUnavailable."""
    lenders = [programme.lender for programme in open_programmes(piece)]
    return _contract_quotes(piece, lenders) if lenders else []


def piece_quote(*, piece: Piece, lender: Organisation) -> Quote:
    """The contract's quote of `lender` for the piece now. Raises QuotesUnavailable."""
    [quote] = _contract_quotes(piece, [lender])
    return quote
