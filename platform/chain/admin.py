"""The chain's tables in the admin: to look at, never to edit. The outbox, the sender and the
indexer own these rows, and a custodial key never leaves the database, not even encrypted."""

from django.contrib import admin

from .models import ChainAccount, ChainAction, ChainEvent, ChainTransaction, IndexerState, TransactionAttempt


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write: the admin shows them and changes nothing."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChainAccount)
class ChainAccountAdmin(ReadOnlyAdmin):
    list_display = ("label", "address", "organisation", "next_nonce")
    list_select_related = ("organisation",)
    search_fields = ("label", "address", "organisation__name")
    exclude = ("encrypted_key",)


@admin.register(ChainAction)
class ChainActionAdmin(ReadOnlyAdmin):
    list_display = ("idempotency_key", "function", "status", "signer", "created_at")
    list_filter = ("status", "function")
    list_select_related = ("signer",)
    search_fields = ("idempotency_key",)


@admin.register(ChainTransaction)
class ChainTransactionAdmin(ReadOnlyAdmin):
    list_display = ("signer", "nonce", "status", "tx_hash", "block_number")
    list_filter = ("status",)
    list_select_related = ("signer",)
    search_fields = ("tx_hash",)


@admin.register(TransactionAttempt)
class TransactionAttemptAdmin(ReadOnlyAdmin):
    list_display = ("tx_hash", "transaction", "status", "broadcast_at")
    list_filter = ("status",)
    search_fields = ("tx_hash",)
    exclude = ("raw",)


@admin.register(ChainEvent)
class ChainEventAdmin(ReadOnlyAdmin):
    list_display = ("name", "block_number", "log_index", "tx_hash")
    list_filter = ("name",)
    search_fields = ("tx_hash",)


@admin.register(IndexerState)
class IndexerStateAdmin(ReadOnlyAdmin):
    list_display = ("chain_id", "contract_address", "last_block", "halted_reason")
