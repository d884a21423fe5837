"""First start of the platform on a deployment: the operator organisation with the deployer's
account, the risk oracle's account (registered on chain through the outbox) and the indexer's
cursor. Safe to run on every start."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chain import accounts, client
from chain.hashing import salted_hash
from chain.indexer import indexer_state
from chain.models import ActionPurpose, ChainAccount
from chain.services import action_enqueue, gas_funding_enqueue

from .models import KycStatus, Organisation, Role

RISK_ORACLE_ROLE = 4
ORACLE_REGISTRATION = timedelta(days=3650)
ORACLE_GAS_WEI = 10 * 10**18


@transaction.atomic
def platform_bootstrap() -> ChainAccount:
    operator = accounts.operator_account()
    if operator.organisation_id is None:
        organisation, _ = Organisation.objects.get_or_create(
            legal_id=settings.OPERATOR_LEGAL_ID,
            defaults={
                "name": "Platform operator",
                "role": Role.ADMIN,
                "kyc_status": KycStatus.APPROVED,
                "onchain_id": 1,  # the deployer is the founding admin, participant 1
            },
        )
        operator.organisation = organisation
        operator.save(update_fields=["organisation"])
    indexer_state()
    oracle = ChainAccount.objects.filter(label=accounts.RISK_ORACLE).first() or accounts.account_create(
        label=accounts.RISK_ORACLE
    )
    if client.is_local_chain():
        gas_funding_enqueue(operator=operator, account=oracle, amount_wei=ORACLE_GAS_WEI)
    action_enqueue(
        purpose=ActionPurpose.PARTICIPANT_REGISTER,
        subject=oracle,
        signer=operator,
        function="registerParticipant",
        args=[
            oracle.address,
            RISK_ORACLE_ROLE,
            salted_hash("risk-oracle", oracle.address),
            int((timezone.now() + ORACLE_REGISTRATION).timestamp()),
        ],
    )
    return operator
