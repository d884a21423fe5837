"""The invoices app's writes, one module per entity: invoices (submitted one by one or in bulk;
confirmed, disputed), their
repayments, and the pieces of a receivable (split, transfer). Each checks roles and fields, writes
its business rows and queues the on-chain action in one database transaction."""

from .invoices import invoice_confirm, invoice_dispute
from .submission import MAX_BATCH, InvoiceLine, Submitted, invoice_submit, invoices_submit
from .uploads import UploadedRow, invoices_upload
from .pieces import piece_split, piece_transfer
from .repayments import REPAYABLE, invoice_repay

__all__ = [
    "MAX_BATCH", "REPAYABLE", "InvoiceLine", "Submitted", "invoice_confirm", "invoice_dispute", "invoice_repay",
    "UploadedRow", "invoice_submit", "invoices_submit", "invoices_upload", "piece_split", "piece_transfer",
]
