from django.urls import path

from . import planning, views

app_name = "core_firm"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inbox/", views.inbox, name="inbox"),
    path("payables/", views.payables, name="payables"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/tracker/", views.invoice_tracker, name="invoice-tracker"),
    path("invoices/<int:invoice_id>/pending/", views.invoice_pending, name="invoice-pending"),
    path("invoices/<int:invoice_id>/confirm/", views.confirm, name="invoice-confirm"),
    path("invoices/<int:invoice_id>/dispute/", views.dispute, name="invoice-dispute"),
    path("invoices/<int:invoice_id>/repay/", views.repay, name="invoice-repay"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("calendar/", planning.calendar, name="calendar"),
    path("exposure/", planning.exposure, name="exposure"),
]
