"""Organisations in the admin, read-only: registration and KYC go through services.py, which
queue the matching on-chain changes, and the on-chain id and rating are mirrored from the chain."""

from django.contrib import admin

from chain.admin import ReadOnlyAdmin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "legal_id", "role", "kyc_status", "kyc_expires_at", "onchain_id", "rating")
    list_filter = ("role", "kyc_status")
    search_fields = ("name", "legal_id")
