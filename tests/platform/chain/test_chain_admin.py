"""Secrets never shown: the admin lists custodial accounts without their keys (neither decrypted
nor encrypted) and edits no chain table; nothing logged while keys are made, imported or
unlocked contains a private key."""

import logging

import pytest
from django.apps import apps
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chain import accounts, keys
from chain.models import ActionPurpose, ChainAccount, ChainTransaction, IndexerState, TransactionAttempt
from chain.services import action_enqueue
from factories import ChainAccountFactory, ChainEventFactory, OrganisationFactory
from organisations.models import Role
from organisations.services import organisation_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return ChainAccountFactory(organisation=OrganisationFactory(name="Acme Supplies Ltd"), label="org-acme")


def _secrets(account: ChainAccount) -> list[str]:
    """Every form in which the account's key could leak into text."""
    private_key = bytes(keys.unlock(account.encrypted_key).key).hex()
    ciphertext = bytes(account.encrypted_key)
    return [private_key, private_key.upper(), ciphertext.decode(), ciphertext.hex()]


def test_account_list_shows_the_account_but_not_its_key(admin_client, account):
    page = admin_client.get(reverse("admin:chain_chainaccount_changelist"))

    assert page.status_code == 200
    assert account.label in page.text and account.address in page.text and "Acme Supplies Ltd" in page.text
    for secret in _secrets(account):
        assert secret not in page.text


def test_account_page_shows_the_account_but_not_its_key(admin_client, account):
    page = admin_client.get(reverse("admin:chain_chainaccount_change", args=[account.pk]))

    assert page.status_code == 200
    assert account.address in page.text
    for secret in _secrets(account):
        assert secret not in page.text


def test_account_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, account):
    assert admin_client.get(reverse("admin:chain_chainaccount_add")).status_code == 403
    change = reverse("admin:chain_chainaccount_change", args=[account.pk])
    assert admin_client.post(change, {"label": "renamed", "address": account.address}).status_code == 403
    assert admin_client.get(reverse("admin:chain_chainaccount_delete", args=[account.pk])).status_code == 403
    account.refresh_from_db()
    assert account.label == "org-acme"


def test_signed_transaction_bytes_are_not_shown(admin_client, account):
    transaction = ChainTransaction.objects.create(signer=account, nonce=0, to_address=account.address, data="0x", gas=1)
    attempt = TransactionAttempt.objects.create(
        transaction=transaction, tx_hash="0x" + "cd" * 32, raw=bytes.fromhex("f86b" + "5a" * 100),
        max_fee_per_gas=1, max_priority_fee_per_gas=1,
    )

    page = admin_client.get(reverse("admin:chain_transactionattempt_change", args=[attempt.pk]))

    assert page.status_code == 200
    assert attempt.tx_hash in page.text
    assert "5a" * 100 not in page.text


def _one_row_each(account: ChainAccount) -> None:
    action_enqueue(
        purpose=ActionPurpose.PARTICIPANT_REGISTER, subject=account, signer=account, function="registerParticipant",
        args=[],
    )
    transaction = ChainTransaction.objects.create(signer=account, nonce=0, to_address=account.address, data="0x", gas=1)
    TransactionAttempt.objects.create(
        transaction=transaction, tx_hash="0x" + "ef" * 32, raw=b"\x01", max_fee_per_gas=1, max_priority_fee_per_gas=1
    )
    ChainEventFactory(name="InvoiceConfirmed", args={"fingerprint": "0x" + "ab" * 32})
    IndexerState.objects.create(
        chain_id=1337, genesis_hash="0x" + "00" * 32, contract_address=account.address, last_block=0
    )


@pytest.mark.parametrize(
    "model", ["chainaccount", "chainaction", "chaintransaction", "transactionattempt", "chainevent", "indexerstate"]
)
def test_every_chain_table_can_be_looked_at_and_not_added_to(admin_client, account, model):
    _one_row_each(account)
    row = apps.get_model("chain", model).objects.first()

    assert admin_client.get(reverse(f"admin:chain_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:chain_{model}_change", args=[row.pk])).status_code == 200
    assert admin_client.get(reverse(f"admin:chain_{model}_add")).status_code == 403


def test_admin_configuration_passes_djangos_checks():
    assert checks.run_checks(tags=[checks.Tags.admin]) == []


# Logs


def test_no_private_key_is_logged_while_keys_are_made_imported_and_unlocked(manifest, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")  # Django's own config stops at INFO

    with CaptureQueriesContext(connection):  # the SQL, with its parameters, is logged too
        supplier = organisation_register(name="Acme Supplies Ltd", legal_id="LEI-ACME", role=Role.SUPPLIER)
        operator = accounts.operator_account()
        unlocked = [keys.unlock(account.encrypted_key) for account in (supplier.chain_account, operator)]

    assert "INSERT" in caplog.text, "the capture should see the writes"
    logged = caplog.text.lower()
    for account in unlocked:
        assert bytes(account.key).hex() not in logged
