"""Onboarding through a real worker: KYC approval becomes an on-chain participant registration."""

from chain import client
from chain.models import ActionStatus, ChainAction, ChainTransaction, TransactionStatus
from organisations.models import Organisation, Role

from world import onboard, operator_admin, wait_for_actions, wait_for_registration

SUPPLIER_ROLE, CORE_FIRM_ROLE = 1, 2


def test_kyc_approval_registers_the_participant_on_chain(platform):
    platform.worker()
    admin = operator_admin()
    supplier, _ = onboard(admin, "acme", Role.SUPPLIER)
    buyer, _ = onboard(admin, "bigco", Role.CORE_FIRM)

    wait_for_registration(supplier, buyer)
    wait_for_actions()

    contract = client.platform_contract()
    for organisation, role in ((supplier, SUPPLIER_ROLE), (buyer, CORE_FIRM_ROLE)):
        onchain_role, kyc_expires_at, *_, onchain_id = contract.functions.participant(
            organisation.chain_account.address
        ).call()
        mirrored = Organisation.objects.get(pk=organisation.pk)
        assert (onchain_role, onchain_id) == (role, mirrored.onchain_id)
        assert kyc_expires_at == int(mirrored.kyc_expires_at.timestamp())
    assert not ChainAction.objects.exclude(status=ActionStatus.CONFIRMED).exists()
    nonces = list(ChainTransaction.objects.filter(signer__label="operator").values_list("nonce", flat=True))
    assert len(nonces) == len(set(nonces))
    assert not ChainTransaction.objects.exclude(status=TransactionStatus.CONFIRMED).exists()
