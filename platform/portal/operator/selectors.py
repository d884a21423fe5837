"""Reads for the operator's and auditor's pages: the platform's figures, the participants with
their people, and any invoice with its complete on-chain audit trail."""

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from chain.models import ChainAccount, ChainAction, ChainEvent
from financing.models import FinancingRequest, FinancingStatus, Programme
from financing.reasons import reject_reason_sentence
from invoices.models import Invoice, InvoiceStatus, Piece
from organisations.models import KycStatus, Organisation, Role
from portal import figures
from users.models import User

SEARCH_RESULTS = 50
FINGERPRINT_LENGTH = 66  # 0x and 32 bytes in hex
ADDRESS_LENGTH = 42
OPEN = (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)


def organisation_figures() -> dict:
    return Organisation.objects.aggregate(
        total=Count("pk"),
        pending_kyc=Count("pk", filter=Q(kyc_status=KycStatus.PENDING)),
        **{role: Count("pk", filter=Q(role=role)) for role in Role.values},
    )


def invoice_figures() -> list[dict]:
    """Per currency: invoices, their face value, and what confirmed obligations still owe."""
    rows = (
        Invoice.objects.order_by()
        .values("currency")
        .annotate(
            invoices=Count("pk"),
            face=Sum("amount"),
            owed=Sum(F("amount") - F("repaid"), filter=Q(status__in=OPEN)),
        )
        .order_by("currency")
    )
    return [row | {"currency": figures.currency_label(row["currency"]), "owed": row["owed"] or 0} for row in rows]


def financing_figures() -> list[dict]:
    """Per currency: approved financings, the advances, and the programmes' books."""
    books = figures.programme_books(Programme.objects.all())
    financed = {
        row["piece__invoice__currency"]: row
        for row in FinancingRequest.objects.filter(status=FinancingStatus.APPROVED)
        .order_by()
        .values("piece__invoice__currency")
        .annotate(financings=Count("pk"), advanced=Sum("advance"), **figures.yield_sums())
    }
    rows = []
    for currency in sorted(set(books) | set(financed)):
        book, financing = books.get(currency, {}), financed.get(currency, {})
        rows.append({
            "currency": figures.currency_label(currency),
            "financings": financing.get("financings", 0),
            "advanced": financing.get("advanced") or 0,
            "yield": figures.weighted_yield(financing),
            "limit": book.get("limit", 0),
            "exposure": book.get("exposure", 0),
            "liquidity": book.get("liquidity", 0),
        })
    return rows


def participants(*, role: str = "", kyc: str = "", text: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("chain_account").prefetch_related(
        Prefetch("users", queryset=User.objects.order_by("username").only("pk", "username", "organisation_id"))
    )
    if role in Role.values:
        organisations = organisations.filter(role=role)
    if kyc in KycStatus.values:
        organisations = organisations.filter(kyc_status=kyc)
    if text.strip():
        organisations = organisations.filter(Q(name__icontains=text.strip()) | Q(legal_id__icontains=text.strip()))
    return organisations.order_by("name", "pk")


def invoices_matching(text: str) -> QuerySet[Invoice]:
    """Invoices by fingerprint (exact) or by number (any part of it), newest first."""
    text = text.strip()
    invoices = Invoice.objects.select_related("seller", "buyer").order_by("-created_at", "-pk")
    if text.lower().startswith("0x") and len(text) == FINGERPRINT_LENGTH:
        return invoices.filter(fingerprint=text.lower())
    return invoices.filter(number__icontains=text)


def invoice_pieces(invoice: Invoice) -> list[Piece]:
    return list(invoice.pieces.select_related("holder").order_by("index"))


def invoice_events(invoice: Invoice) -> list[ChainEvent]:
    """Every contract log about the invoice, in chain order, each with its arguments but the
    fingerprint as `details`: (name, value, the organisation an address belongs to)."""
    events = list(ChainEvent.objects.filter(args__fingerprint=invoice.fingerprint).order_by("block_number", "log_index"))
    addresses = {value for event in events for value in event.args.values() if _is_address(value)}
    names = dict(
        ChainAccount.objects.filter(address__in=addresses, organisation__isnull=False)
        .values_list("address", "organisation__name")
    ) if addresses else {}
    for event in events:
        event.details = [
            (key, value, names.get(value) if _is_address(value) else None)
            for key, value in event.args.items()
            if key != "fingerprint"
        ]
    return events


def _is_address(value) -> bool:
    return isinstance(value, str) and value.startswith("0x") and len(value) == ADDRESS_LENGTH


def invoice_actions(invoice: Invoice) -> list[ChainAction]:
    """Every action queued about the invoice: they all name its fingerprint first."""
    return list(
        ChainAction.objects.filter(args__0=invoice.fingerprint)
        .select_related("transaction", "signer__organisation")
        .order_by("created_at", "pk")
    )


def invoice_financing(invoice: Invoice) -> list[FinancingRequest]:
    requests = list(
        FinancingRequest.objects.filter(piece__invoice=invoice)
        .select_related("piece", "holder", "lender")
        .order_by("created_at", "pk")
    )
    for request in requests:
        request.reason_text = reject_reason_sentence(request.reject_reason) if request.reject_reason else ""
    return requests


def possible_duplicates() -> QuerySet[Invoice]:
    """Invoices accepted under a new number that look like an earlier one (same seller, buyer,
    amount and issue date), newest first, with the earlier invoice and who acknowledged them."""
    return (
        Invoice.objects.filter(possible_duplicate_of__isnull=False)
        .select_related("seller", "buyer", "possible_duplicate_of", "duplicate_acknowledged_by")
        .order_by("-created_at", "-pk")
    )
