"""chain migration 0005: actions queued before purposes existed get their purpose, subject and
sequence from the keys they were queued under, and their key in the one format of today."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from chain.models import ChainAction
from factories import ChainAccountFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("chain.migrations.0005_action_purpose")


@pytest.fixture
def account():
    return ChainAccountFactory(label="risk-oracle", address="0x" + "ab" * 20)


OLD_KEYS = {
    "invoice-register:7": ("invoice-register", "invoices.invoice", 7, 0, ""),
    "invoice-confirm:7": ("invoice-confirm", "invoices.invoice", 7, 0, ""),
    "invoice-dispute:7": ("invoice-dispute", "invoices.invoice", 7, 0, ""),
    "repay:7:pay-1": ("repay", "invoices.invoice", 7, None, "pay-1"),
    "overdue:7": ("mark-overdue", "invoices.invoice", 7, 0, ""),
    "default:7": ("mark-defaulted", "invoices.invoice", 7, 0, ""),
    "piece-split:3:9:250500000:0": ("piece-split", "invoices.piece", 3, None, ""),
    "piece-transfer:3:9:1": ("piece-transfer", "invoices.piece", 3, None, ""),
    "piece-write-off:3:1": ("piece-write-off", "invoices.piece", 3, 1, ""),
    "claim:3:500": ("piece-claim", "invoices.piece", 3, 500, ""),
    "financing-request:11": ("financing-request", "financing.financingrequest", 11, 0, ""),
    "rating:5:1:2026-12-01": ("rating-post", "organisations.organisation", 5, None, "1:2026-12-01"),
    "programme-terms:4:2:1:terms-1": ("programme-terms", "organisations.organisation", 4, None, "2:1:terms-1"),
    "programme-fund:4:2:1:f": ("programme-fund", "organisations.organisation", 4, None, "2:1:f"),
    "programme-defund:4:2:1:d": ("programme-defund", "organisations.organisation", 4, None, "2:1:d"),
    "participant-5:register": ("participant-register", "organisations.organisation", 5, 0, ""),
    "participant-5:renew-kyc:1": ("participant-renew-kyc", "organisations.organisation", 5, None, ""),
    "participant-5:suspend:2": ("participant-suspend", "organisations.organisation", 5, None, ""),
}


@pytest.mark.parametrize("key", OLD_KEYS)
def test_every_old_key_format_has_its_columns(key):
    assert migration.legacy_columns(key, {}) == OLD_KEYS[key]


def test_keys_naming_an_account_find_it_by_address_or_label(account):
    accounts = {account.address: account.pk, account.label: account.pk}

    assert migration.legacy_columns(f"fund-gas:{account.address}", accounts)[1:3] == ("chain.chainaccount", account.pk)
    assert migration.legacy_columns(f"token-approve:{account.address}:2", accounts)[3] == 2
    assert migration.legacy_columns("participant-register:risk-oracle", accounts)[2] == account.pk
    assert migration.legacy_columns(f"token-mint:{account.address}:1:demo", accounts)[4] == "1:demo"


def test_an_unknown_key_stops_the_migration():
    with pytest.raises(ValueError, match="no known purpose"):
        migration.legacy_columns("something-else:1", {})


def test_rows_are_filled_with_sequences_in_the_order_they_were_queued(account):
    placeholder = {"purpose": "", "subject_type": ContentType.objects.get_for_model(account), "subject_id": 0}
    for n, key in enumerate(["repay:7:pay-1", "invoice-confirm:7", "repay:7:pay-2", f"fund-gas:{account.address}"]):
        ChainAction.objects.create(idempotency_key=key, sequence=100 + n, signer=account, function="x", **placeholder)

    migration.fill_columns(apps, None)

    assert list(ChainAction.objects.order_by("pk").values_list("idempotency_key", "request_key")) == [
        ("repay:invoices.invoice:7:0", "pay-1"),
        ("invoice-confirm:invoices.invoice:7:0", ""),
        ("repay:invoices.invoice:7:1", "pay-2"),
        (f"gas-funding:chain.chainaccount:{account.pk}:0", ""),
    ]
