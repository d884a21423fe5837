"""chain.accounts: the operator's account is the deployer's, imported once and stored encrypted;
each organisation has one custodial account."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from eth_account import Account

from chain import accounts, keys
from chain.models import ChainAccount
from factories import GANACHE_ACCOUNT_0, OrganisationFactory, deployment_manifest

pytestmark = pytest.mark.django_db


def test_operator_on_a_local_chain_is_the_development_wallets_first_account(manifest):
    operator = accounts.operator_account()

    assert (operator.label, operator.address, operator.organisation) == (accounts.OPERATOR, GANACHE_ACCOUNT_0, None)
    assert keys.unlock(operator.encrypted_key).address == GANACHE_ACCOUNT_0


def test_operator_is_imported_once(manifest):
    assert accounts.operator_account() == accounts.operator_account()
    assert ChainAccount.objects.count() == 1


def test_operator_key_that_did_not_deploy_the_contracts_is_refused(manifest, settings):
    settings.OPERATOR_PRIVATE_KEY = Account.create().key.hex()

    with pytest.raises(ImproperlyConfigured, match=GANACHE_ACCOUNT_0):
        accounts.operator_account()
    assert not ChainAccount.objects.exists()


def test_public_chain_needs_an_operator_key(settings, tmp_path):
    settings.DEPLOYMENT_MANIFEST = deployment_manifest(tmp_path / "1.json", chain_id=1)
    settings.OPERATOR_PRIVATE_KEY = None

    with pytest.raises(ImproperlyConfigured, match="OPERATOR_PRIVATE_KEY"):
        accounts.operator_account()


def test_organisation_account_is_created_once():
    organisation = OrganisationFactory()

    account = accounts.organisation_account(organisation)

    assert accounts.organisation_account(organisation) == account
    assert account.label == f"org-{organisation.pk}"
    assert keys.unlock(account.encrypted_key).address == account.address
