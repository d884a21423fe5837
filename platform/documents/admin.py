"""Documents in the admin: to look at, not to edit. The bytes, their hash and the extracted fields
must stay as uploaded, since the chain holds the hash; uploads go through services.document_upload."""

from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "organisation", "kind", "format", "size", "invoice", "created_at")
    list_filter = ("kind", "format")
    search_fields = ("original_name", "keccak", "organisation__name")
    list_select_related = ("organisation", "invoice")
    readonly_fields = [field.name for field in Document._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # An invoice's on-chain document hash is only checkable while its files exist.
        return False
