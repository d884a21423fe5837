"""What the financing app does when the chain reports: credit decisions, programme terms,
deposits and withdrawals, lenders' collections and write-offs, the holders' claims queued when a
repayment is seen, and financing requests the chain refused. Registered with the chain app in FinancingConfig.ready().

A programme's book follows the contract (CreditDesk, Settlement): an approval adds the advance to
its exposure and takes the payout (advance - discount) from its liquidity; the lender's claim on a
financed piece releases that much exposure, and so does its write-off of a defaulted one, for the
face value not yet collected. What a written-off piece collects later is recovery: it releases
nothing more. Amounts are added in the database (F expressions): the indexer runs each handler
once per log."""

from django.db.models import F
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction, ChainEvent
from invoices.models import Invoice, Piece
from organisations.events import domain_event_publish
from organisations.models import Organisation
from organisations.selectors import organisation_at

from .models import FinancingRequest, FinancingStatus, Programme
from .reasons import REJECT_REASONS
from .services import claims_enqueue

def _programme_of(lender: Organisation, invoice: Invoice):
    """The programme that financed pieces of `invoice` belong to: the lender's, for its buyer and currency."""
    return Programme.objects.filter(lender=lender, core_firm_id=invoice.buyer_id, currency=invoice.currency)


def _programme(args: dict):
    return Programme.objects.filter(
        lender__chain_account__address=args["lender"],
        core_firm__chain_account__address=args["coreFirm"],
        currency=args["currency"],
    )


def _publish_decisions(event: str, requests, args: dict) -> None:
    """Tells the holder and the lender of each decided request the decision."""
    for request in requests:
        domain_event_publish(
            organisations=[request.holder_id, request.lender_id],
            event=event,
            payload={"financing_request": request.pk, "piece": args["piece"], "fingerprint": args["fingerprint"]}
            | {key: args[key] for key in ("advance", "discount", "tenorDays", "reason") if key in args},
        )


def financing_approved(event: ChainEvent) -> None:
    """The piece goes to the lender at the advance (what the advance does not cover stays with the
    holder as a reserve piece), the programme books it and the request is approved."""
    args = event.args
    invoice = Invoice.objects.filter(fingerprint=args["fingerprint"]).first()
    lender = organisation_at(args["lender"])
    if invoice is None or lender is None:
        return
    piece = Piece.objects.get(invoice=invoice, index=args["piece"])
    if args["reservePiece"]:
        Piece.objects.get_or_create(
            invoice=invoice,
            index=args["reservePiece"],
            defaults={"parent_index": piece.index, "holder": piece.holder, "amount": piece.amount - args["advance"]},
        )
    if Piece.objects.filter(pk=piece.pk, financed=False).update(holder=lender, amount=args["advance"], financed=True):
        _programme_of(lender, invoice).update(
            exposure=F("exposure") + args["advance"], liquidity=F("liquidity") - (args["advance"] - args["discount"])
        )
    decided = FinancingRequest.objects.filter(piece=piece, lender=lender, status=FinancingStatus.REQUESTED)
    _publish_decisions("financing.approved", decided, args)
    decided.update(
        status=FinancingStatus.APPROVED,
        advance=args["advance"],
        discount=args["discount"],
        tenor_days=args["tenorDays"],
        rating=args["rating"],
        decided_at=timezone.now(),
    )


def financing_rejected(event: ChainEvent) -> None:
    args = event.args
    decided = FinancingRequest.objects.filter(
        piece__invoice__fingerprint=args["fingerprint"],
        piece__index=args["piece"],
        lender__chain_account__address=args["lender"],
        status=FinancingStatus.REQUESTED,
    )
    reason = REJECT_REASONS[args["reason"]]
    _publish_decisions("financing.rejected", decided, args | {"reason": reason})
    decided.update(status=FinancingStatus.REJECTED, reject_reason=reason, decided_at=timezone.now())


def piece_claimed(event: ChainEvent) -> None:
    """A lender collecting on its financed piece releases that much of its programme's exposure."""
    piece = (
        Piece.objects.filter(invoice__fingerprint=event.args["fingerprint"], index=event.args["piece"])
        .select_related("invoice", "holder")
        .first()
    )
    # Financed pieces are locked: the claimer is their lender. A written-off one left the book already.
    if piece is not None and piece.financed and piece.written_off_at is None:
        _programme_of(piece.holder, piece.invoice).update(exposure=F("exposure") - event.args["amount"])


def obligation_repaid(event: ChainEvent) -> None:
    """The holders are paid at once: their claims on the repayment are queued in the indexer's
    transaction and sent when it commits. The invoices app, installed before this one, has
    mirrored the repaid total by now (handlers run in the order the apps are installed)."""
    invoice = Invoice.objects.filter(fingerprint=event.args["fingerprint"]).first()
    if invoice is not None:
        claims_enqueue(invoice=invoice)


def piece_written_off(event: ChainEvent) -> None:
    args = event.args
    piece = (
        Piece.objects.filter(invoice__fingerprint=args["fingerprint"], index=args["piece"])
        .select_related("invoice")
        .first()
    )
    lender = organisation_at(args["lender"])
    if piece is None or lender is None:
        return
    if Piece.objects.filter(pk=piece.pk, written_off_at__isnull=True).update(
        written_off_at=timezone.now(), written_off_amount=args["released"]
    ):
        _programme_of(lender, piece.invoice).update(exposure=F("exposure") - args["released"])
        domain_event_publish(
            organisations=[lender.pk],
            event="piece.written_off",
            payload={"invoice": piece.invoice_id, "number": piece.invoice.number, "fingerprint": args["fingerprint"],
                     "piece": args["piece"], "released": args["released"]},
        )


def programme_terms_set(event: ChainEvent) -> None:
    args = event.args
    lender, core_firm = organisation_at(args["lender"]), organisation_at(args["coreFirm"])
    if lender is None or core_firm is None:
        return
    terms = args["terms"]
    Programme.objects.update_or_create(
        lender=lender,
        core_firm=core_firm,
        currency=args["currency"],
        defaults={
            "limit": terms["limit"],
            "advance_rate_bps": terms["advanceRateBps"],
            "base_rate_bps": terms["baseRateBps"],
            "max_tenor_days": terms["maxTenorDays"],
            "rating_spread_bps": terms["ratingSpreadBps"],
            "min_rating": terms["minRating"],
            "max_rating_age_days": terms["maxRatingAgeDays"],
        },
    )


def programme_funded(event: ChainEvent) -> None:
    _programme(event.args).update(liquidity=F("liquidity") + event.args["amount"])


def programme_defunded(event: ChainEvent) -> None:
    _programme(event.args).update(liquidity=F("liquidity") - event.args["amount"])


EVENT_HANDLERS = {
    "FinancingApproved": financing_approved,
    "FinancingRejected": financing_rejected,
    "PieceClaimed": piece_claimed,
    "ObligationRepaid": obligation_repaid,
    "PieceWrittenOff": piece_written_off,
    "ProgrammeTermsSet": programme_terms_set,
    "ProgrammeFunded": programme_funded,
    "ProgrammeDefunded": programme_defunded,
}


def request_failed(action: ChainAction) -> None:
    """The chain refused to run the financing request (not a credit decision: it never ran)."""
    FinancingRequest.objects.filter(pk=action.subject_id, status=FinancingStatus.REQUESTED).update(
        status=FinancingStatus.FAILED
    )


OUTCOME_HANDLERS = {ActionPurpose.FINANCING_REQUEST: {"failed": request_failed}}
