"""The receivables the supplier holds, and what it can do with a piece: split part of it off to
another supplier, transfer all of it, or ask a lender to finance it. Each form queues an on-chain
action; the page shows its progress, and the piece changes once the chain has done it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from financing.models import FinancingRequest
from financing.quotes import open_programmes, piece_quotes
from financing.reasons import reject_reason_sentence
from financing.services import financing_request
from invoices.services import pieces
from invoices.models import InvoiceStatus
from organisations.models import Organisation, Role
from organisations.selectors import active_organisations
from portal.access import organisation, role_required
from portal.kit import tracking
from portal.kit.filters import PIECES_HELD, InvoiceSearchForm
from portal.kit.forms import run_service
from portal.kit.paging import paginate

from .forms import FinanceForm, SplitForm, TransferForm
from .selectors import held_pieces

ROLES = (Role.SUPPLIER,)


@role_required(*ROLES)
def receivables(request):
    search = InvoiceSearchForm(request.GET or None, fields=PIECES_HELD)
    page, query = paginate(request, search.search(held_pieces(organisation(request))))
    return render(request, "portal/supplier/receivables.html", {"search": search, "page": page, "query": query})


def _held_piece(request, piece_id: int):
    return get_object_or_404(held_pieces(organisation(request)), pk=piece_id)


def _recipients(request):
    return active_organisations(Role.SUPPLIER).exclude(pk=organisation(request).pk)


def _lenders(lender_ids: list[int]):
    return Organisation.objects.filter(pk__in=lender_ids).order_by("name", "pk")


def _locked_reason(piece) -> str:
    """Why the piece cannot be moved or financed now; empty when it can."""
    if piece.invoice.status != InvoiceStatus.CONFIRMED:
        return _("A piece can be split, transferred or financed once the buyer has confirmed the invoice; "
                 "the invoice is: %(status)s.") % {"status": piece.invoice.get_status_display()}
    if piece.financed or piece.claimed:
        return _("This piece is financed or already being repaid: it stays where it is.")
    return ""


def _offers(piece) -> list[dict]:
    """Each open programme's quote for the piece now, and, when the lender would finance it, the
    form that asks at that payout."""
    quotes = piece_quotes(piece=piece, now=timezone.now())
    lenders = _lenders([quote.lender.pk for quote in quotes])
    return [
        {"quote": quote, "form": FinanceForm.for_quote(quote, lenders=lenders) if quote.approved else None}
        for quote in quotes
    ]


def _piece_page(request, piece, *, split=None, transfer=None, finance=None):
    recipients = _recipients(request)
    requests = list(
        FinancingRequest.objects.filter(piece=piece, holder=organisation(request))
        .select_related("lender")
        .order_by("-created_at", "-pk")
    )
    for financing in requests:
        financing.reason_sentence = reject_reason_sentence(financing.reject_reason) if financing.reject_reason else ""
    return render(request, "portal/supplier/piece.html", {
        "piece": piece,
        "invoice": piece.invoice,
        "locked_reason": _locked_reason(piece),
        "split_form": split or SplitForm(prefix="split", recipients=recipients),
        "transfer_form": transfer or TransferForm(prefix="transfer", recipients=recipients),
        "finance_form": finance,  # the request refused, if any: its errors head the quotes
        "offers": _offers(piece),
        "requests": requests,
        "actions": tracking.tracked(
            # The piece's own history: an earlier holder's splits and transfers are not this holder's business.
            tracking.piece_actions(piece, [financing.pk for financing in requests])
            .filter(signer__organisation=organisation(request))
        ),
    })


@role_required(*ROLES)
def piece(request, piece_id: int):
    return _piece_page(request, _held_piece(request, piece_id))


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
