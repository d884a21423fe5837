"""The contract's credit decision (CreditDesk._decide) and pricing (Pricing.sol) in Python, run
on the mirrored rows (the programme, the parties' roles, KYC and rating, the invoice and the
piece): the chain the unit tests talk to. It answers chain.quotes.financing_quotes as the contract
would, in its order and its integer micro-units, every amount rounded down as it rounds; the
root conftest puts it in the real reader's place, outside the integration tests, which ask the
real contract. financing/test_contract_quotes.py holds it to the contracts' reference model
(tests/contracts/unit/pricing_model.py) and to the contract's rules."""

from datetime import datetime

from django.utils import timezone

from chain.quotes import LenderQuote, PieceQuotes
from financing.reasons import REJECT_REASONS
from financing.models import Programme
from financing.quotes import Quote
from invoices.models import InvoiceStatus, Piece
from organisations.models import Organisation, Role
from organisations.selectors import day_start, is_active

DAY = 86_400
BPS = 10_000
DAYS_PER_YEAR = 365
BEST_RATING = 10

NOT_ON_CHAIN_YET = (InvoiceStatus.SUBMITTED, InvoiceStatus.REGISTERED, InvoiceStatus.FAILED)
PAST_DUE = (InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)


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


def financing_quotes(*, fingerprint, index, lenders, core_firm, currency) -> PieceQuotes:
    """chain.quotes.financing_quotes, answered from the mirror."""
    piece = Piece.objects.select_related("invoice__buyer", "invoice__seller", "holder").get(
        invoice__fingerprint=fingerprint, index=index
    )
    now = timezone.now()
    answers = []
    for address in lenders:
        lender = Organisation.objects.get(chain_account__address=address)
        programme = Programme.objects.filter(
            lender=lender, core_firm__chain_account__address=core_firm, currency=currency
        ).first()
        quote = programme_quote(piece=piece, lender=lender, programme=programme, now=now)
        answers.append(LenderQuote(
            lender=address, reason=REJECT_REASONS.index(quote.reason or "none"), advance=quote.advance,
            discount=quote.discount, tenor_days=quote.tenor_days, min_rating=programme.min_rating if programme else 0,
        ))
    return PieceQuotes(block=0, holder="", holder_rating=piece.holder.rating or 0, quotes=tuple(answers))
