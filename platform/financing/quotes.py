"""The quote a lender's programme would give a piece now: the chain's credit decision
(CreditDesk._decide) and its pricing (contracts/libraries/Pricing.sol), run on what the platform
mirrors (the programme, the parties' roles, KYC and rating, the invoice and the piece), in the
contract's order and its integer micro-units, every amount rounded down as it rounds.

The chain has the last word: the mirror may lag it by a block or two. A quote is what the holder
sees before it asks, and the price bound it asks with (financing.services.requests): below the payout it
accepted, the chain rejects the request and nothing moves."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from invoices.models import InvoiceStatus, Piece
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations, day_start, is_active

from .models import Programme
from .reasons import reject_reason_sentence

DAY = 86_400
BPS = 10_000
DAYS_PER_YEAR = 365
BEST_RATING = 10

NOT_ON_CHAIN_YET = (InvoiceStatus.SUBMITTED, InvoiceStatus.REGISTERED, InvoiceStatus.FAILED)
PAST_DUE = (InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)


@dataclass(frozen=True)
class Quote:
    """A lender's answer for a piece: its price (micro-units), or `reason`, the code of the
    contract's RejectReason it would reject the request with (as the mirror stores them)."""

    lender: Organisation
    reason: str = ""
    advance: int = 0
    discount: int = 0
    tenor_days: int = 0

    @property
    def approved(self) -> bool:
        return not self.reason

    @property
    def payout(self) -> int:
        """What the holder receives: the advance less its discount."""
        return self.advance - self.discount

    @property
    def reason_sentence(self) -> str:
        return reject_reason_sentence(self.reason) if self.reason else ""


# Pricing.sol


def tenor_days(due: int, now: int) -> int:
    """Whole days from `now` to `due` (unix seconds), a started day counting as a full one."""
    return (due - now + DAY - 1) // DAY


def advance(face: int, advance_rate_bps: int) -> int:
    return face * advance_rate_bps // BPS


def yearly_rate_bps(base_rate_bps: int, rating_spread_bps: int, rating: int) -> int:
    """The base rate plus the spread for each notch the rating is below the best."""
    return base_rate_bps + rating_spread_bps * (BEST_RATING - rating)


def discount(advanced: int, rate_bps: int, days: int) -> int:
    return advanced * rate_bps * days // (BPS * DAYS_PER_YEAR)


# CreditDesk._decide


def _party_reason(piece: Piece, lender: Organisation, now: datetime) -> str:
    holder, obligor = piece.holder, piece.invoice.buyer
    if holder.role != Role.SUPPLIER:
        return "holder_not_supplier"
    if not is_active(holder, at=now):
        return "holder_kyc_expired"
    if lender.role != Role.LENDER:
        return "lender_not_lender"
    if not is_active(lender, at=now):
        return "lender_kyc_expired"
    if obligor.role != Role.CORE_FIRM or not is_active(obligor, at=now):
        return "obligor_kyc_expired"
    return ""


def _status_reason(piece: Piece, due: int, now: int) -> str:
    invoice = piece.invoice
    if invoice.status in NOT_ON_CHAIN_YET:
        return "not_confirmed"
    if invoice.status == InvoiceStatus.DISPUTED:
        return "disputed"
    if invoice.status == InvoiceStatus.REPAID or invoice.repaid:
        return "settled"
    if invoice.status in PAST_DUE or now >= due:
        return "overdue"
    # The mirror has no reserve flag: the chain alone refuses a reserve piece (AlreadyFinanced).
    if piece.financed:
        return "already_financed"
    if piece.claimed:
        return "settled"
    return ""


def _rating_reason(holder: Organisation, programme: Programme, now: int) -> str:
    rating = holder.rating or 0
    if rating == 0 or rating < programme.min_rating:
        return "rating_too_low"
    # A rating mirrored before its time was (rated_at empty) counts as stale until it is posted again.
    if holder.rated_at is None or now - int(holder.rated_at.timestamp()) > programme.max_rating_age_days * DAY:
        return "rating_stale"
    return ""


def programme_quote(*, piece: Piece, lender: Organisation, programme: Programme | None, now: datetime) -> Quote:
    """The quote of `lender`'s `programme` (None: it has none) for the piece at `now`. The rules
    run in the contract's order and the first that fails is the reason; the price bound
    (PayoutBelowMinimum, QuoteExpired) is the request's to check. Reads no rows beyond the piece's
    holder and invoice (with its buyer and seller) and the programme."""
    moment = int(now.timestamp())
    if programme is None or programme.limit == 0:
        return Quote(lender, "no_programme")
    due = day_start(piece.invoice.due_date, piece.invoice.seller)
    if reason := _party_reason(piece, lender, now) or _status_reason(piece, due, moment):
        return Quote(lender, reason)
    days = tenor_days(due, moment)
    if days > programme.max_tenor_days:
        return Quote(lender, "tenor_too_long", tenor_days=days)
    if reason := _rating_reason(piece.holder, programme, moment):
        return Quote(lender, reason, tenor_days=days)
    advanced = advance(piece.amount, programme.advance_rate_bps)
    if advanced == 0:
        return Quote(lender, "advance_too_small", tenor_days=days)
    if programme.exposure + advanced > programme.limit:
        return Quote(lender, "over_limit", advance=advanced, tenor_days=days)
    rate = yearly_rate_bps(programme.base_rate_bps, programme.rating_spread_bps, piece.holder.rating)
    quote = Quote(lender, advance=advanced, discount=discount(advanced, rate, days), tenor_days=days)
    if quote.payout > programme.liquidity:
        return Quote(lender, "insufficient_liquidity", quote.advance, quote.discount, days)
    return quote


def open_programmes(piece: Piece) -> QuerySet[Programme]:
    """Open programmes of active lenders for the piece's buyer and currency, with their lender."""
    return (
        Programme.objects.filter(
            core_firm_id=piece.invoice.buyer_id, currency=piece.invoice.currency, limit__gt=0,
            lender__in=active_organisations(Role.LENDER),
        )
        .select_related("lender")
        .order_by("lender__name", "pk")
    )


def piece_quotes(*, piece: Piece, now: datetime) -> list[Quote]:
    """The quote of every open programme for the piece at `now`, by lender name."""
    return [
        programme_quote(piece=piece, lender=programme.lender, programme=programme, now=now)
        for programme in open_programmes(piece)
    ]


def lender_programme(*, piece: Piece, lender: Organisation) -> Programme | None:
    """The lender's programme for the piece's buyer and currency, if it has one."""
    invoice = piece.invoice
    return Programme.objects.filter(lender=lender, core_firm_id=invoice.buyer_id, currency=invoice.currency).first()


def piece_quote(*, piece: Piece, lender: Organisation, now: datetime) -> Quote:
    """The quote `lender` would give the piece at `now`, from its programme for the piece's buyer."""
    return programme_quote(piece=piece, lender=lender, programme=lender_programme(piece=piece, lender=lender), now=now)
