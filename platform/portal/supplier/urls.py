from django.urls import path

from . import advances, bulk, receivables, upload, views

app_name = "supplier"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/tracker/", views.invoice_tracker, name="invoice-tracker"),
    path("invoices/<int:invoice_id>/pending/", views.invoice_pending, name="invoice-pending"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("actions/<int:action_id>/progress/", views.action_progress, name="action-progress"),
    path("upload/", upload.upload, name="upload"),
    path("upload/bulk/", bulk.upload_bulk, name="upload-bulk"),
    path("upload/<int:document_id>/review/", upload.review, name="review"),
    path("receivables/", receivables.receivables, name="receivables"),
    path("receivables/<int:piece_id>/", receivables.piece, name="piece"),
    path("receivables/<int:piece_id>/pending/", receivables.piece_pending_status, name="piece-pending"),
    path("receivables/<int:piece_id>/split/", receivables.piece_split, name="piece-split"),
    path("receivables/<int:piece_id>/transfer/", receivables.piece_transfer, name="piece-transfer"),
    path("receivables/<int:piece_id>/quotes/", receivables.piece_quotes_view, name="piece-quotes"),
    path("receivables/<int:piece_id>/finance/", receivables.piece_finance, name="piece-finance"),
    path("financing/", advances.financing, name="financing"),
    path("cash/", advances.cash, name="cash"),
]
