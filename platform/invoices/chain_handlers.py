"""What the invoices app does when the chain reports: invoices registered, confirmed, disputed,
overdue or defaulted; pieces split, transferred and claimed; obligations repaid; the lifecycle
periods changed; a registration the chain refused. Registered with the chain app in
InvoicesConfig.ready().

The indexer runs each event handler once per log, in the database transaction that records the
log. Handlers that set state are upserts keyed by what the chain keys by (fingerprint, piece
index); those that add amounts (a split, a claim) rely on that once-only rule and add in the
database (F expressions), so concurrent runs cannot lose an update. Events about invoices or
accounts the platform does not know change nothing."""

from django.db.models import F
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction, ChainEvent
from organisations.events import domain_event_publish
from organisations.selectors import organisation_at

from .models import Invoice, InvoiceStatus, LifecyclePeriods, Piece


def _invoice(fingerprint: str) -> Invoice | None:
    return Invoice.objects.filter(fingerprint=fingerprint).first()


def invoice_event_publish(event: str, invoice: Invoice) -> None:
    """Tells the invoice's seller and buyer what changed."""
    domain_event_publish(
        organisations=[invoice.seller_id, invoice.buyer_id],
        event=event,
        payload={"invoice": invoice.pk, "number": invoice.number, "fingerprint": invoice.fingerprint},
    )


def invoice_registered(event: ChainEvent) -> None:
    args = event.args
    invoice = _invoice(args["fingerprint"])
    seller = organisation_at(args["seller"])
    if invoice is None or seller is None:
        return
    if Invoice.objects.filter(pk=invoice.pk, status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED]).update(
        status=InvoiceStatus.REGISTERED, updated_at=timezone.now()
    ):
        invoice_event_publish("invoice.registered", invoice)
    Piece.objects.get_or_create(invoice=invoice, index=0, defaults={"holder": seller, "amount": args["amount"]})


def _invoice_status(status: str, allowed_from: tuple[str, ...]):
    def handler(event: ChainEvent) -> None:
        fingerprint = event.args["fingerprint"]
        if Invoice.objects.filter(fingerprint=fingerprint, status__in=allowed_from).update(
            status=status, updated_at=timezone.now()
        ):
            invoice_event_publish(f"invoice.{status}", _invoice(fingerprint))

    return handler


def periods_changed(event: ChainEvent) -> None:
    args = event.args
    LifecyclePeriods.objects.get_or_create(
        version=args["version"],
        defaults={"grace_period_seconds": args["gracePeriod"], "default_period_seconds": args["defaultPeriod"]},
    )


def invoice_confirmed(event: ChainEvent) -> None:
    """The obligation keeps the periods in force now, as the chain stamps its version on it:
    events are applied in chain order, so the latest version mirrored is the chain's current one."""
    current = LifecyclePeriods.objects.order_by("-version").first()
    periods = {
        "periods_version": current.version,
        "grace_period_seconds": current.grace_period_seconds,
        "default_period_seconds": current.default_period_seconds,
    } if current else {}
    fingerprint = event.args["fingerprint"]
    if Invoice.objects.filter(fingerprint=fingerprint, status=InvoiceStatus.REGISTERED).update(
        status=InvoiceStatus.CONFIRMED, updated_at=timezone.now(), **periods
    ):
        invoice_event_publish("invoice.confirmed", _invoice(fingerprint))


def piece_split(event: ChainEvent) -> None:
    args = event.args
    invoice = _invoice(args["fingerprint"])
    holder = organisation_at(args["to"])
    if invoice is None or holder is None:
        return
    _, created = Piece.objects.get_or_create(
        invoice=invoice,
        index=args["piece"],
        defaults={"parent_index": args["parent"], "holder": holder, "amount": args["amount"]},
    )
    if created:
        Piece.objects.filter(invoice=invoice, index=args["parent"]).update(amount=F("amount") - args["amount"])


def piece_transferred(event: ChainEvent) -> None:
    args = event.args
    if (holder := organisation_at(args["to"])) is not None:
        Piece.objects.filter(invoice__fingerprint=args["fingerprint"], index=args["piece"]).update(holder=holder)


def obligation_repaid(event: ChainEvent) -> None:
    args = event.args
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
        invoice_event_publish("invoice.repaid", invoice)


def piece_claimed(event: ChainEvent) -> None:
    """The piece's holder collected its share of repayments (a financed piece's book: financing)."""
    Piece.objects.filter(invoice__fingerprint=event.args["fingerprint"], index=event.args["piece"]).update(
        claimed=F("claimed") + event.args["amount"]
    )


EVENT_HANDLERS = {
    "InvoiceRegistered": invoice_registered,
    "PeriodsChanged": periods_changed,
    "InvoiceConfirmed": invoice_confirmed,
    "InvoiceDisputed": _invoice_status(InvoiceStatus.DISPUTED, (InvoiceStatus.REGISTERED,)),
    "ObligationOverdue": _invoice_status(InvoiceStatus.OVERDUE, (InvoiceStatus.CONFIRMED,)),
    "RecourseRecorded": _invoice_status(InvoiceStatus.DEFAULTED, (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)),
    "PieceSplit": piece_split,
    "PieceTransferred": piece_transferred,
    "ObligationRepaid": obligation_repaid,
    "PieceClaimed": piece_claimed,
}


def registration_failed(action: ChainAction) -> None:
    """The chain refused to register the invoice: it says so, and its seller and buyer are told."""
    if Invoice.objects.filter(pk=action.subject_id, status=InvoiceStatus.SUBMITTED).update(status=InvoiceStatus.FAILED):
        invoice_event_publish("invoice.failed", Invoice.objects.get(pk=action.subject_id))


OUTCOME_HANDLERS = {ActionPurpose.INVOICE_REGISTER: {"failed": registration_failed}}
