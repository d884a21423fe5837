"""The supplier's dashboard and invoices: the list, an invoice with its registration progress and
documents, and the fragments HTMX polls while an on-chain action is under way."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from invoices.lineage import visible_pieces, with_lineage
from invoices.models import InvoiceStatus
from invoices.pending import invoice_repaying, pieces_pending, repayments_in_flight
from invoices.selectors import invoices_visible_to
from organisations.models import Role
from organisations.selectors import names_only
from portal.access import organisation, role_required
from portal.kit import tracking
from portal.kit.activity import recent_activity
from portal.kit.downloads import document_response, documents_visible_to
from portal.kit.filters import INVOICES_SOLD, InvoiceSearchForm
from portal.kit.paging import paginate, rows_annotate

from .attention import supplier_attention
from .selectors import sold_invoices, supplier_figures

ROLES = (Role.SUPPLIER,)
RECENT_ACTIONS = 8


@role_required(*ROLES)
def dashboard(request):
    seller = organisation(request)
    return render(request, "portal/supplier/dashboard.html", {
        "attention": supplier_attention(seller, timezone.localdate()),
        "figures": supplier_figures(seller),
        "activity": recent_activity(seller, RECENT_ACTIONS),
    })


@role_required(*ROLES)
def invoices(request):
    search = InvoiceSearchForm(request.GET or None, fields=INVOICES_SOLD)
    page, query = paginate(request, search.search(names_only(sold_invoices(organisation(request)), "buyer")))
    rows_annotate(page, "repaying", repayments_in_flight(page))
    return render(request, "portal/supplier/invoices.html", {"search": search, "page": page, "query": query})


def _visible_invoice(request, invoice_id: int):
    """An invoice the supplier sold or holds a piece of; any other answers 404."""
    return get_object_or_404(with_lineage(invoices_visible_to(organisation(request))), pk=invoice_id)


def _tracker(invoice) -> dict:
    """The invoice's status and registration; the page polls them until the chain has settled the
    registration and the mirror has seen it."""
    registration = tracking.registration_action(invoice)
    actions = tracking.tracked([registration] if registration else [])
    waiting = invoice.status == InvoiceStatus.SUBMITTED and registration is not None
    poll_url = reverse("portal:supplier:invoice-tracker", args=[invoice.pk])
    return {"invoice": invoice, "actions": actions, "waiting": waiting, "poll_url": poll_url}


def _held_pending(invoice, holder) -> dict[int, object]:
    """What queued actions are doing to the pieces of the invoice the supplier holds, by index."""
    held = [piece for piece in invoice.pieces.all() if piece.holder_id == holder.pk]
    for piece in held:
        piece.invoice = invoice
    pending = pieces_pending(held)
    return {piece.index: pending[piece.pk] for piece in held}


def _invoice_pending(invoice, tracker: dict, held: dict) -> bool:
    """Whether something the page shows is on its way: the registration, a repayment, or an action
    on a piece the supplier holds."""
    return bool(tracker["waiting"] or invoice_repaying(invoice) or any(pending.any for pending in held.values()))


@role_required(*ROLES)
def invoice(request, invoice_id: int):
    seller = organisation(request)
    found = _visible_invoice(request, invoice_id)
    documents = documents_visible_to(seller).filter(invoice=found).order_by("kind", "pk")
    tracker, held = _tracker(found), _held_pending(found, seller)
    pending = _invoice_pending(found, tracker, held)
    pieces = visible_pieces(found, seller)
    return render(request, "portal/supplier/invoice.html", {
        **tracker,
        "documents": documents,
        "pieces": pieces,
        "piece_rows": [(piece, held.get(piece.index)) for piece in pieces],
        "repaying": invoice_repaying(found),
        "settled_url": reverse("portal:supplier:invoice-pending", args=[found.pk]) if pending else "",
    })


@role_required(*ROLES)
def invoice_pending(request, invoice_id: int):
    """Whether what the invoice page shows is still on its way; the page reloads once it is not."""
    found = _visible_invoice(request, invoice_id)
    return JsonResponse({"pending": _invoice_pending(found, _tracker(found), _held_pending(found, organisation(request)))})


@role_required(*ROLES)
def invoice_tracker(request, invoice_id: int):
    return render(request, "portal/components/invoice_tracker.html", _tracker(_visible_invoice(request, invoice_id)))


@role_required(*ROLES)
def action_progress(request, action_id: int):
    """One of the supplier's on-chain actions, as components/chain_progress.html shows it."""
    action = get_object_or_404(tracking.actions_signed_by(organisation(request)), pk=action_id)
    return render(request, "portal/components/chain_progress.html", {"action": action, "poll_url": request.path})


@role_required(*ROLES)
def document(request, document_id: int):
    return document_response(get_object_or_404(documents_visible_to(organisation(request)), pk=document_id))
