"""Invoices, their pieces and the lifecycle periods in the admin, read-only: invoices are submitted
through services.py and otherwise mirrored from the chain, like the rest."""

from django.contrib import admin

from chain.admin import ReadOnlyAdmin

from .models import Invoice, LifecyclePeriods, Piece


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "seller", "buyer", "amount", "currency", "due_date", "status")
    list_filter = ("status", "currency")
    list_select_related = ("seller", "buyer")
    search_fields = ("number", "fingerprint", "seller__name", "buyer__name")


@admin.register(Piece)
class PieceAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "index", "holder", "amount", "financed", "claimed", "written_off_at", "written_off_amount")
    list_select_related = ("invoice__seller", "invoice__buyer", "holder")
    search_fields = ("invoice__number", "invoice__fingerprint")


@admin.register(LifecyclePeriods)
class LifecyclePeriodsAdmin(ReadOnlyAdmin):
    list_display = ("version", "grace_period_seconds", "default_period_seconds", "changed_at")
