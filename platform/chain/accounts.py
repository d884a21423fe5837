"""Custodial accounts: one per organisation that acts on chain, plus the platform's operator (the
deployer, founding admin) and its risk oracle."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from eth_account import Account

from . import client, keys
from .models import ChainAccount

OPERATOR = "operator"
RISK_ORACLE = "risk-oracle"
# How pages name the platform's own accounts; their labels are keys, not words for a reader.
PLATFORM_ACCOUNT_NAMES = {OPERATOR: _("Platform operator"), RISK_ORACLE: _("Risk oracle (ratings)")}
# Ganache's --wallet.deterministic mnemonic: a public test wallet, only ever used on local chains.
LOCAL_DEV_MNEMONIC = "myth like bonus scare over problem client lizard pioneer submit female collect"


def account_name(account: ChainAccount) -> str:
    """Its organisation's name, or the name of a platform account in the reader's language."""
    if account.organisation_id:
        return account.organisation.name
    return str(PLATFORM_ACCOUNT_NAMES.get(account.label, account.label))


def account_create(*, label: str, organisation=None) -> ChainAccount:
    address, encrypted = keys.new_key()
    return ChainAccount.objects.create(label=label, organisation=organisation, address=address, encrypted_key=encrypted)


def _operator_key() -> bytes:
    if settings.OPERATOR_PRIVATE_KEY:
        return Account.from_key(settings.OPERATOR_PRIVATE_KEY).key
    if client.is_local_chain():
        Account.enable_unaudited_hdwallet_features()
        return Account.from_mnemonic(LOCAL_DEV_MNEMONIC).key
    raise ImproperlyConfigured("OPERATOR_PRIVATE_KEY must be set: it is the deployer's (founding admin's) key.")


@transaction.atomic
def operator_account() -> ChainAccount:
    """The deployer's account, imported once (encrypted) from OPERATOR_PRIVATE_KEY or, on a local
    chain, from the development wallet. It must be the manifest's deployer."""
    if existing := ChainAccount.objects.filter(label=OPERATOR).first():
        return existing
    key = _operator_key()
    address = Account.from_key(key).address
    deployer = client.manifest()["deployer"]
    if address.lower() != deployer.lower():
        raise ImproperlyConfigured(f"The operator key is for {address}, but the contracts were deployed by {deployer}.")
    return ChainAccount.objects.create(label=OPERATOR, address=address, encrypted_key=keys.encrypt(key))


def organisation_account(organisation) -> ChainAccount:
    """The organisation's custodial account, created on first need."""
    if existing := ChainAccount.objects.filter(organisation=organisation).first():
        return existing
    return account_create(label=f"org-{organisation.pk}", organisation=organisation)
