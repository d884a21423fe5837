"""The receivables the supplier holds, and what it can do with a piece: split part of it off to
another supplier, transfer all of it, or ask a lender to finance it. Each form queues an on-chain
action; the page shows its progress, and the piece changes once the chain has done it."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from financing.models import FinancingRequest
from financing.quotes import QuotesUnavailable, open_programmes, piece_quotes
from financing.reasons import reject_reason_sentence
from financing.services import financing_request
from invoices.services import pieces
from invoices.models import InvoiceStatus
from invoices.pending import PiecePending, piece_pending, pieces_pending
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations, names_only
from portal.access import organisation, role_required
from portal.kit import tracking
from portal.kit.filters import PIECES_HELD, InvoiceSearchForm
from portal.kit.forms import run_service
from portal.kit.paging import paginate, rows_annotate

from .forms import FinanceForm, SplitForm, TransferForm
from .selectors import held_pieces

ROLES = (Role.SUPPLIER,)


@role_required(*ROLES)
def receivables(request):
    search = InvoiceSearchForm(request.GET or None, fields=PIECES_HELD)
    rows = names_only(held_pieces(organisation(request)), "holder", "invoice__buyer", "invoice__seller")
    page, query = paginate(request, search.search(rows))
    rows_annotate(page, "pending", pieces_pending(page))
    return render(request, "portal/supplier/receivables.html", {"search": search, "page": page, "query": query})


def _held_piece(request, piece_id: int):
    return get_object_or_404(held_pieces(organisation(request)), pk=piece_id)


def _recipients(request):
    return active_organisations(Role.SUPPLIER).exclude(pk=organisation(request).pk)


def _lenders(lender_ids: list[int]):
    return Organisation.objects.filter(pk__in=lender_ids).order_by("name", "pk")


def _locked_reason(piece, pending: PiecePending) -> str:
    """Why the piece cannot be moved or financed now; empty when it can."""
    if piece.invoice.status != InvoiceStatus.CONFIRMED:
        return _("A piece can be split, transferred or financed once the buyer has confirmed the invoice; "
                 "the invoice is: %(status)s.") % {"status": piece.invoice.get_status_display()}
    if piece.financed or piece.claimed or pending.being_paid:
        return _("This piece is financed or already being repaid: it stays where it is.")
    if pending.transferring:
        return _("This piece is being transferred: it leaves you once the chain has done it.")
    if pending.financing:
        return _("This piece is being financed: it stays where it is until the lender's decision.")
    return ""


def _tracked_actions(request, piece, requests):
    # The piece's own history: an earlier holder's splits and transfers are not this holder's business.
    return tracking.tracked(
        tracking.piece_actions(piece, [financing.pk for financing in requests])
        .filter(signer__organisation=organisation(request))
    )


def _waiting(actions, pending: PiecePending) -> bool:
    return pending.any or any(tracked.in_flight for tracked in actions)


def _offers(piece) -> dict:
    """The contract's quote of each open programme for the piece now and, when the lender would
    finance it, the form that asks at that payout; or why no quote can be read."""
    try:
        quotes = piece_quotes(piece=piece)
    except QuotesUnavailable as error:
        return {"offers": [], "unavailable": str(error)}
    lenders = _lenders([quote.lender.pk for quote in quotes])
    return {"offers": [
        {"quote": quote, "form": FinanceForm.for_quote(quote, lenders=lenders) if quote.approved else None}
        for quote in quotes
    ], "unavailable": ""}


def _piece_page(request, piece, *, split=None, transfer=None, finance=None):
    recipients = _recipients(request)
    requests = list(
        FinancingRequest.objects.filter(piece=piece, holder=organisation(request))
        .select_related("lender")
        .order_by("-created_at", "-pk")
    )
    for financing in requests:
        financing.reason_sentence = reject_reason_sentence(financing.reject_reason) if financing.reject_reason else ""
    pending = piece_pending(piece)
    actions = _tracked_actions(request, piece, requests)
    return render(request, "portal/supplier/piece.html", {
        "piece": piece,
        "invoice": piece.invoice,
        "pending": pending,
        "left_after_splits": piece.amount - pending.splitting,
        "settled_url": reverse("portal:supplier:piece-pending", args=[piece.pk]) if _waiting(actions, pending) else "",
        "locked_reason": _locked_reason(piece, pending),
        "split_form": split or SplitForm(prefix="split", recipients=recipients),
        "transfer_form": transfer or TransferForm(prefix="transfer", recipients=recipients),
        "finance_form": finance,  # the request refused, if any: its errors head the quotes
        "requests": requests,
        "actions": actions,
    })


@role_required(*ROLES)
def piece(request, piece_id: int):
    return _piece_page(request, _held_piece(request, piece_id))


@role_required(*ROLES)
@require_GET
def piece_quotes_view(request, piece_id: int):
    """The lenders' quotes for the piece, read from the contract: the piece page loads this
    fragment after it renders, so the page itself never waits for the chain. Opened as a link
    (no script), it is a page of its own."""
    held = get_object_or_404(
        held_pieces(organisation(request)).select_related("invoice__buyer__chain_account"), pk=piece_id
    )
    template = "portal/supplier/_piece_quotes.html" if request.htmx else "portal/supplier/piece_quotes.html"
    return render(request, template, {
        "piece": held, "invoice": held.invoice, "locked_reason": _locked_reason(held, piece_pending(held)), **_offers(held),
    })


@role_required(*ROLES)
def piece_pending_status(request, piece_id: int):
    """Whether the actions the piece page shows are still on their way; the page reloads once they are not."""
    held = _held_piece(request, piece_id)
    requests = FinancingRequest.objects.filter(piece=held, holder=organisation(request))
    return JsonResponse({"pending": _waiting(_tracked_actions(request, held, list(requests)), piece_pending(held))})


def _done(request, piece, message: str):
    messages.success(request, message)
    return redirect("portal:supplier:piece", piece_id=piece.pk)


@role_required(*ROLES)
@require_POST
def piece_split(request, piece_id: int):
    held = _held_piece(request, piece_id)
    form = SplitForm(request.POST, prefix="split", recipients=_recipients(request))
    if run_service(form, lambda fields: pieces.piece_split(
        piece=held, split_by=request.user, to_organisation_id=fields["to_organisation"].pk, amount=fields["amount"],
    )):
        return _done(request, held, _("Split queued: the new piece appears once the chain has made it."))
    return _piece_page(request, held, split=form)


@role_required(*ROLES)
@require_POST
def piece_transfer(request, piece_id: int):
    held = _held_piece(request, piece_id)
    form = TransferForm(request.POST, prefix="transfer", recipients=_recipients(request))
    if run_service(form, lambda fields: pieces.piece_transfer(
        piece=held, transferred_by=request.user, to_organisation_id=fields["to_organisation"].pk,
    )):
        return _done(request, held, _("Transfer queued: the piece moves once the chain has done it."))
    return _piece_page(request, held, transfer=form)


@role_required(*ROLES)
@require_POST
def piece_finance(request, piece_id: int):
    held = _held_piece(request, piece_id)
    lenders = _lenders([programme.lender_id for programme in open_programmes(held)])
    form = FinanceForm(request.POST, prefix="finance", lenders=lenders)
    if run_service(form, lambda fields: financing_request(
        piece=held, requested_by=request.user, lender_id=fields["lender"].pk, min_payout=fields["min_payout"],
    )):
        return _done(request, held, _("Financing requested: the lender's programme decides when the chain runs it."))
    return _piece_page(request, held, finance=form)
