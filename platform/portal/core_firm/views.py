"""The core firm's dashboard, its inbox of invoices to confirm, its payables, and an invoice's page:
documents, Confirm or Dispute, repayment, and the progress of each of these on chain."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from chain.models import ActionStatus
from invoices.models import InvoiceStatus
from invoices.pending import invoice_repaying, repayments_in_flight
from invoices.selectors import einvoice_comparison
from invoices.services import REPAYABLE, invoice_confirm, invoice_dispute, invoice_repay
from organisations.models import Role
from organisations.selectors import names_only
from portal.access import organisation, role_required
from portal.kit import tracking
from portal.kit.activity import recent_activity
from portal.kit.downloads import document_response, documents_visible_to
from portal.kit.filters import INVOICES_BOUGHT, InvoiceSearchForm
from portal.kit.forms import run_service
from portal.kit.paging import paginate, rows_annotate

from .forms import ConfirmForm, DisputeForm, RepayForm
from .attention import core_firm_attention
from .selectors import bought_invoices, core_firm_figures, inbox as invoices_to_confirm, payment_cover

ROLES = (Role.CORE_FIRM,)
DECISIONS = ("confirmInvoice", "disputeInvoice")
RECENT_ACTIONS = 8


@role_required(*ROLES)
def dashboard(request):
    buyer, today = organisation(request), timezone.localdate()
    cover = payment_cover(buyer, today)
    return render(request, "portal/core_firm/dashboard.html", {
        "attention": core_firm_attention(buyer, today, cover),
        "cover": cover,
        "figures": core_firm_figures(buyer, today),
        "activity": recent_activity(buyer, RECENT_ACTIONS),
    })


@role_required(*ROLES)
def inbox(request):
    search = InvoiceSearchForm(request.GET or None, fields=INVOICES_BOUGHT, statuses=False)
    rows = names_only(invoices_to_confirm(organisation(request)), "seller", "buyer")
    page, query = paginate(request, search.search(rows))
    return render(request, "portal/core_firm/inbox.html", {"search": search, "page": page, "query": query})


@role_required(*ROLES)
def payables(request):
    search = InvoiceSearchForm(request.GET or None, fields=INVOICES_BOUGHT)
    rows = names_only(bought_invoices(organisation(request)), "seller", "buyer")
    page, query = paginate(request, search.search(rows))
    rows_annotate(page, "repaying", repayments_in_flight(page))
    return render(request, "portal/core_firm/payables.html", {"search": search, "page": page, "query": query})


def _bought_invoice(request, invoice_id: int):
    """An invoice the core firm bought; any other answers 404."""
    return get_object_or_404(bought_invoices(organisation(request)), pk=invoice_id)


def _tracker(invoice) -> dict:
    """The invoice's status and the core firm's actions on it. The page polls them while an action
    is on its way, and while a settled confirmation or dispute has not reached the mirror yet."""
    actions = tracking.tracked(tracking.buyer_actions(invoice))
    mirror_behind = invoice.status == InvoiceStatus.REGISTERED and any(
        tracked.action.function in DECISIONS and tracked.action.status == ActionStatus.CONFIRMED for tracked in actions
    )
    return {
        "invoice": invoice,
        "actions": actions,
        "waiting": mirror_behind or any(tracked.in_flight for tracked in actions),
        "poll_url": reverse("portal:core_firm:invoice-tracker", args=[invoice.pk]),
    }


def _invoice_page(request, invoice, *, confirm=None, dispute=None, repay=None):
    tracker = _tracker(invoice)
    decided = any(tracked.action.function in DECISIONS for tracked in tracker["actions"])
    repaying = invoice_repaying(invoice)
    # What the page may still ask for: not what the mirror shows owed, but what is left once the
    # repayments already queued are paid.
    owed = max(invoice.amount - invoice.repaid - repaying, 0)
    return render(request, "portal/core_firm/invoice.html", {
        **tracker,
        "documents": documents_visible_to(organisation(request)).filter(invoice=invoice).order_by("kind", "pk"),
        "can_decide": invoice.status == InvoiceStatus.REGISTERED and not decided,
        "repayable": invoice.status in REPAYABLE,
        "can_repay": invoice.status in REPAYABLE and owed > 0,
        "repaying": repaying,
        "owed": owed,
        "settled_url": reverse("portal:core_firm:invoice-pending", args=[invoice.pk]) if tracker["waiting"] else "",
        "confirm_form": confirm or _confirm_form(invoice),
        "einvoice": einvoice_comparison(invoice),
        "dispute_form": dispute or DisputeForm(prefix="dispute"),
        "repay_form": repay or RepayForm.for_invoice(invoice, owed=owed),
    })


@role_required(*ROLES)
def invoice(request, invoice_id: int):
    return _invoice_page(request, _bought_invoice(request, invoice_id))


@role_required(*ROLES)
def invoice_tracker(request, invoice_id: int):
    return render(request, "portal/components/invoice_tracker.html", _tracker(_bought_invoice(request, invoice_id)))


@role_required(*ROLES)
def invoice_pending(request, invoice_id: int):
    """Whether the core firm's actions on the invoice are still on their way: the page polls it and
    reloads once they are done, so that its figures and forms are the chain's again."""
    return JsonResponse({"pending": _tracker(_bought_invoice(request, invoice_id))["waiting"]})


def _done(request, invoice, message: str):
    messages.success(request, message)
    return redirect("portal:core_firm:invoice", invoice_id=invoice.pk)


def _confirm_form(invoice, data=None) -> ConfirmForm:
    return ConfirmForm(data, prefix="confirm", possible_duplicate=invoice.possible_duplicate_of_id is not None)


@role_required(*ROLES)
@require_POST
def confirm(request, invoice_id: int):
    bought = _bought_invoice(request, invoice_id)
    form = _confirm_form(bought, request.POST)
    if run_service(form, lambda fields: invoice_confirm(
        invoice=bought, confirmed_by=request.user, acknowledge_duplicate=fields.get("acknowledge_duplicate", False),
    )):
        return _done(request, bought, _("Confirmation queued: the invoice becomes your obligation once on chain."))
    return _invoice_page(request, bought, confirm=form)


@role_required(*ROLES)
@require_POST
def dispute(request, invoice_id: int):
    bought = _bought_invoice(request, invoice_id)
    form = DisputeForm(request.POST, prefix="dispute")
    if run_service(form, lambda fields: invoice_dispute(invoice=bought, disputed_by=request.user,
                                                        reason=fields["reason"])):
        return _done(request, bought, _("Dispute queued: the seller sees it once it is on chain."))
    return _invoice_page(request, bought, dispute=form)


@role_required(*ROLES)
@require_POST
def repay(request, invoice_id: int):
    bought = _bought_invoice(request, invoice_id)
    form = RepayForm(request.POST, prefix="repay")
    if run_service(form, lambda fields: invoice_repay(invoice=bought, repaid_by=request.user,
                                                      amount=fields["amount"], request_key=fields["request_key"])):
        return _done(request, bought, _("Repayment queued: the amount is paid from your account on chain."))
    return _invoice_page(request, bought, repay=form)


@role_required(*ROLES)
@xframe_options_sameorigin  # shown inside the invoice page; the response itself is sandboxed (CSP)
def document(request, document_id: int):
    return document_response(get_object_or_404(documents_visible_to(organisation(request)), pk=document_id))
