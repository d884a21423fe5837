"""Any invoice, found by number or fingerprint, with its complete audit trail: every contract event
about it (with its transaction and block), every action queued for it, the financing decisions,
and the lineage of its receivable across the tiers."""

from django.shortcuts import get_object_or_404, render

from invoices.models import Invoice
from organisations.selectors import names_only
from portal.access import role_required
from portal.kit.paging import paginate

from . import lineage, selectors
from .forms import InvoiceSearchForm
from .views import ROLES


@role_required(*ROLES)
def receivable_search(request):
    form = InvoiceSearchForm(request.GET or None)
    invoices = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        matching = names_only(selectors.invoices_matching(form.cleaned_data["q"]), "seller", "buyer")
        invoices = matching[: selectors.SEARCH_RESULTS]
    return render(request, "portal/operator/receivables.html", {"form": form, "invoices": invoices})


@role_required(*ROLES)
def receivable_detail(request, invoice_id: int):
    invoice = get_object_or_404(Invoice.objects.select_related("seller", "buyer"), pk=invoice_id)
    pieces = selectors.invoice_pieces(invoice)
    return render(request, "portal/operator/receivable.html", {
        "invoice": invoice,
        "pieces": pieces,
        "lineage": lineage.lineage(pieces),
        "events": selectors.invoice_events(invoice),
        "actions": selectors.invoice_actions(invoice),
        "financing": selectors.invoice_financing(invoice),
    })


@role_required(*ROLES)
def duplicate_flags(request):
    page, query = paginate(request, selectors.possible_duplicates())
    return render(request, "portal/operator/duplicates.html", {"page": page, "query": query})
