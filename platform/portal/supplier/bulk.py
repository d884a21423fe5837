"""The supplier's bulk upload: a CSV or XLSX sheet of invoice lines with their documents in a ZIP,
submitted in one go; the page answers with each row's outcome, the invoice it created or the
reasons it was refused."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from invoices.services import UploadedRow, invoices_upload
from organisations.models import Role
from portal.access import role_required
from portal.kit.forms import run_service

from .forms import BulkUploadForm

# The names a refusal of a row is keyed by (sheet columns and the submission's fields), as shown.
COLUMN_LABELS = {
    "number": _("Invoice number"),
    "buyer": _("Buyer"),
    "seller": _("Seller"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "issue_date": _("Issue date"),
    "due_date": _("Due date"),
    "documents": _("Documents"),
    "invoice_file": _("Invoice file"),
    "purchase_order_file": _("Purchase order file"),
    "delivery_note_file": _("Delivery note file"),
}


@role_required(Role.SUPPLIER)
def upload_bulk(request):
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST":
        rows = run_service(form, lambda fields: invoices_upload(
            submitted_by=request.user, sheet=fields["sheet"], archive=fields["archive"],
        ))
    return render(request, "portal/supplier/upload_bulk.html", {
        "form": form,
        "rows": [_shown(row) for row in rows] if rows is not None else None,
        "created": sum(1 for row in rows if row.invoice) if rows else 0,
    })


def _shown(row: UploadedRow) -> dict:
    return {
        "row": row.row,
        "number": row.number,
        "invoice": row.invoice,
        "reasons": [(COLUMN_LABELS.get(name, name), message) for name, messages in row.errors.items()
                    for message in messages],
    }
