"""Applies contract events to the domain tables. The indexer runs each handler once per log: the
ChainEvent row (unique per transaction hash and log index) is written in the same database
transaction. Handlers that set state are upserts keyed by what the chain keys by (fingerprint,
piece index, account); those that add amounts (a split, a claim, a programme's deposit or
withdrawal) rely on that once-only rule and add in the database (F expressions), so concurrent runs
cannot lose an update. Events about accounts or invoices the platform does not know stay in
ChainEvent only.

A programme's book follows the contract (CreditDesk, Settlement): an approval adds the advance to
its exposure and takes the payout (advance - discount) from its liquidity; the lender's claim on a
financed piece releases that much exposure, and so does its write-off of a defaulted one, for the
face value not yet collected. What a written-off piece collects later is recovery: it releases
nothing more."""

from datetime import datetime, timezone as dt_timezone

from django.db.models import F
from django.utils import timezone

from financing.models import FinancingRequest, FinancingStatus, Programme
from invoices.models import Invoice, InvoiceStatus, LifecyclePeriods, Piece
from organisations.models import Organisation, Role
from webhooks.services import webhook_event_publish

from . import client
from .models import ChainAccount, ChainAction, ChainEvent
from .services import token_allowance_enqueue

PAYS_INTO_CONTRACT = (Role.CORE_FIRM, Role.LENDER)

# The contract's RejectReason enum, in order.
REJECT_REASONS = (
    "none", "no_programme", "over_limit", "tenor_too_long", "holder_kyc_expired", "lender_kyc_expired",
    "rating_too_low", "not_confirmed", "disputed", "overdue", "already_financed", "settled",
    "insufficient_liquidity", "advance_too_small", "obligor_kyc_expired", "holder_not_supplier", "lender_not_lender",
    "rating_stale", "quote_expired", "payout_below_minimum",
)


NEVER = 253_402_300_800  # 10000-01-01: beyond Python's datetime


def _moment(timestamp: int) -> datetime | None:
    """A chain timestamp as a datetime; None for 'never' (the founding admin's KYC is uint40 max)."""
    return datetime.fromtimestamp(timestamp, dt_timezone.utc) if timestamp < NEVER else None


def _organisation(address: str) -> Organisation | None:
    return Organisation.objects.filter(chain_account__address=address).first()


def _invoice(fingerprint: str) -> Invoice | None:
    return Invoice.objects.filter(fingerprint=fingerprint).first()


def _publish_invoice(event: str, invoice: Invoice) -> None:
    """Tells the invoice's seller and buyer (their webhooks) what changed."""
    webhook_event_publish(
        organisations=[invoice.seller_id, invoice.buyer_id],
        event=event,
        payload={"invoice": invoice.pk, "number": invoice.number, "fingerprint": invoice.fingerprint},
    )


def participant_registered(args: dict) -> None:
    Organisation.objects.filter(chain_account__address=args["account"]).update(
        onchain_id=args["id"], kyc_expires_at=_moment(args["kycExpiresAt"])
    )
    _allow_payments(args["account"])


def _allow_payments(address: str) -> None:
    """Core firms and lenders pay into the contract (repayments, deposits): once registered (so
    their gas money has arrived), their accounts approve it for every settlement currency."""
    account = ChainAccount.objects.filter(address=address, organisation__role__in=PAYS_INTO_CONTRACT).first()
    for currency in client.manifest()["currencies"] if account else ():
        token_allowance_enqueue(account=account, currency=int(currency))


def kyc_renewed(args: dict) -> None:
    Organisation.objects.filter(chain_account__address=args["account"]).update(
        kyc_expires_at=_moment(args["kycExpiresAt"])
    )


def rating_posted(args: dict, *, mined_at: datetime | None) -> None:
    """The rating with the time the contract stamped on it (its block's), by which it judges its age."""
    Organisation.objects.filter(chain_account__address=args["supplier"]).update(
        rating=args["rating"], rating_model_version=args["modelVersion"], rated_at=mined_at
    )


def invoice_registered(args: dict) -> None:
    invoice = _invoice(args["fingerprint"])
    seller = _organisation(args["seller"])
    if invoice is None or seller is None:
        return
    if Invoice.objects.filter(pk=invoice.pk, status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED]).update(
        status=InvoiceStatus.REGISTERED, updated_at=timezone.now()
    ):
        _publish_invoice("invoice.registered", invoice)
    Piece.objects.get_or_create(invoice=invoice, index=0, defaults={"holder": seller, "amount": args["amount"]})


def _invoice_status(status: str, allowed_from: tuple[str, ...]):
    def handler(args: dict) -> None:
        if Invoice.objects.filter(fingerprint=args["fingerprint"], status__in=allowed_from).update(
            status=status, updated_at=timezone.now()
        ):
            _publish_invoice(f"invoice.{status}", _invoice(args["fingerprint"]))

    return handler


def periods_changed(args: dict) -> None:
    LifecyclePeriods.objects.get_or_create(
        version=args["version"],
        defaults={"grace_period_seconds": args["gracePeriod"], "default_period_seconds": args["defaultPeriod"]},
    )


def invoice_confirmed(args: dict) -> None:
    """The obligation keeps the periods in force now, as the chain stamps its version on it:
    events are applied in chain order, so the latest version mirrored is the chain's current one."""
    current = LifecyclePeriods.objects.order_by("-version").first()
    periods = {
        "periods_version": current.version,
        "grace_period_seconds": current.grace_period_seconds,
        "default_period_seconds": current.default_period_seconds,
    } if current else {}
    if Invoice.objects.filter(fingerprint=args["fingerprint"], status=InvoiceStatus.REGISTERED).update(
        status=InvoiceStatus.CONFIRMED, updated_at=timezone.now(), **periods
    ):
        _publish_invoice("invoice.confirmed", _invoice(args["fingerprint"]))


def piece_split(args: dict) -> None:
    invoice = _invoice(args["fingerprint"])
    holder = _organisation(args["to"])
    if invoice is None or holder is None:
        return
    _, created = Piece.objects.get_or_create(
        invoice=invoice,
        index=args["piece"],
        defaults={"parent_index": args["parent"], "holder": holder, "amount": args["amount"]},
    )
    if created:
        Piece.objects.filter(invoice=invoice, index=args["parent"]).update(amount=F("amount") - args["amount"])


def piece_transferred(args: dict) -> None:
    if (holder := _organisation(args["to"])) is not None:
        Piece.objects.filter(invoice__fingerprint=args["fingerprint"], index=args["piece"]).update(holder=holder)


def _publish_decisions(event: str, requests, args: dict) -> None:
    """Tells the holder and the lender of each decided request (their webhooks) the decision."""
    for request in requests:
        webhook_event_publish(
            organisations=[request.holder_id, request.lender_id],
            event=event,
            payload={"financing_request": request.pk, "piece": args["piece"], "fingerprint": args["fingerprint"]}
            | {key: args[key] for key in ("advance", "discount", "tenorDays", "reason") if key in args},
        )


def financing_approved(args: dict) -> None:
    invoice = _invoice(args["fingerprint"])
    lender = _organisation(args["lender"])
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


def financing_rejected(args: dict) -> None:
    decided = FinancingRequest.objects.filter(
        piece__invoice__fingerprint=args["fingerprint"],
        piece__index=args["piece"],
        lender__chain_account__address=args["lender"],
        status=FinancingStatus.REQUESTED,
    )
    _publish_decisions("financing.rejected", decided, args | {"reason": REJECT_REASONS[args["reason"]]})
    decided.update(status=FinancingStatus.REJECTED, reject_reason=REJECT_REASONS[args["reason"]], decided_at=timezone.now())


def obligation_repaid(args: dict) -> None:
    invoice = _invoice(args["fingerprint"])
    if invoice is None:
        return
    fully = args["totalRepaid"] >= invoice.amount
    Invoice.objects.filter(pk=invoice.pk).update(
        repaid=args["totalRepaid"],
        status=InvoiceStatus.REPAID if fully else invoice.status,
        repaid_at=(invoice.repaid_at or timezone.now()) if fully else None,
        updated_at=timezone.now(),
    )
    if fully and invoice.status != InvoiceStatus.REPAID:
        _publish_invoice("invoice.repaid", invoice)


def piece_claimed(args: dict) -> None:
    claimed = Piece.objects.filter(invoice__fingerprint=args["fingerprint"], index=args["piece"])
    claimed.update(claimed=F("claimed") + args["amount"])
    piece = claimed.select_related("invoice", "holder").first()
    # Financed pieces are locked: the claimer is their lender. A written-off one left the book already.
    if piece is not None and piece.financed and piece.written_off_at is None:
        _programme_of(piece.holder, piece.invoice).update(exposure=F("exposure") - args["amount"])


def piece_written_off(args: dict) -> None:
    piece = (
        Piece.objects.filter(invoice__fingerprint=args["fingerprint"], index=args["piece"])
        .select_related("invoice")
        .first()
    )
    lender = _organisation(args["lender"])
    if piece is None or lender is None:
        return
    if Piece.objects.filter(pk=piece.pk, written_off_at__isnull=True).update(
        written_off_at=timezone.now(), written_off_amount=args["released"]
    ):
        _programme_of(lender, piece.invoice).update(exposure=F("exposure") - args["released"])
        webhook_event_publish(
            organisations=[lender.pk],
            event="piece.written_off",
            payload={"invoice": piece.invoice_id, "number": piece.invoice.number, "fingerprint": args["fingerprint"],
                     "piece": args["piece"], "released": args["released"]},
        )


def _programme_of(lender: Organisation, invoice: Invoice):
    """The programme that financed pieces of `invoice` belong to: the lender's, for its buyer and currency."""
    return Programme.objects.filter(lender=lender, core_firm_id=invoice.buyer_id, currency=invoice.currency)


def _programme(args: dict):
    return Programme.objects.filter(
        lender__chain_account__address=args["lender"],
        core_firm__chain_account__address=args["coreFirm"],
        currency=args["currency"],
    )


def programme_terms_set(args: dict) -> None:
    lender, core_firm = _organisation(args["lender"]), _organisation(args["coreFirm"])
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


def programme_funded(args: dict) -> None:
    _programme(args).update(liquidity=F("liquidity") + args["amount"])


def programme_defunded(args: dict) -> None:
    _programme(args).update(liquidity=F("liquidity") - args["amount"])


HANDLERS = {
    "ParticipantRegistered": participant_registered,
    "KycRenewed": kyc_renewed,
    "InvoiceRegistered": invoice_registered,
    "PeriodsChanged": periods_changed,
    "InvoiceConfirmed": invoice_confirmed,
    "InvoiceDisputed": _invoice_status(InvoiceStatus.DISPUTED, (InvoiceStatus.REGISTERED,)),
    "ObligationOverdue": _invoice_status(InvoiceStatus.OVERDUE, (InvoiceStatus.CONFIRMED,)),
    "RecourseRecorded": _invoice_status(InvoiceStatus.DEFAULTED, (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)),
    "PieceSplit": piece_split,
    "PieceTransferred": piece_transferred,
    "FinancingApproved": financing_approved,
    "FinancingRejected": financing_rejected,
    "ObligationRepaid": obligation_repaid,
    "PieceClaimed": piece_claimed,
    "PieceWrittenOff": piece_written_off,
    "ProgrammeTermsSet": programme_terms_set,
    "ProgrammeFunded": programme_funded,
    "ProgrammeDefunded": programme_defunded,
}


# Handlers that also need the time of the event's block: the contract stamps it, the event does
# not carry it.
TIMED_HANDLERS = {
    "RatingPosted": rating_posted,
}


def apply(event: ChainEvent) -> None:
    if handler := HANDLERS.get(event.name):
        handler(event.args)
    elif handler := TIMED_HANDLERS.get(event.name):
        handler(event.args, mined_at=event.mined_at)


def actions_failed(action_ids: list[int]) -> None:
    """The domain side of actions the chain refused: their business rows say so."""
    keys = ChainAction.objects.filter(pk__in=action_ids).values_list("idempotency_key", flat=True)
    invoice_ids = [int(key.split(":", 1)[1]) for key in keys if key.startswith("invoice-register:")]
    for invoice in Invoice.objects.filter(pk__in=invoice_ids, status=InvoiceStatus.SUBMITTED):
        Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.FAILED)
        _publish_invoice("invoice.failed", invoice)
    financing_ids = [int(key.split(":", 1)[1]) for key in keys if key.startswith("financing-request:")]
    FinancingRequest.objects.filter(pk__in=financing_ids, status=FinancingStatus.REQUESTED).update(
        status=FinancingStatus.FAILED
    )
