"""The invoices app's writes, one module per entity: invoices (submit, confirm, dispute), their
repayments, and the pieces of a receivable (split, transfer). Each checks roles and fields, writes
its business rows and queues the on-chain action in one database transaction."""

from .invoices import invoice_confirm, invoice_dispute, invoice_submit
from .pieces import piece_split, piece_transfer
from .repayments import REPAYABLE, invoice_repay

__all__ = [
    "REPAYABLE", "invoice_confirm", "invoice_dispute", "invoice_repay", "invoice_submit",
    "piece_split", "piece_transfer",
]
