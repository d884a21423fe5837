"""What the organisations app does when the chain reports: participants registered, their KYC
renewed, ratings posted. Registered with the chain app in OrganisationsConfig.ready()."""

from datetime import datetime, timezone as dt_timezone

from chain import client
from chain.models import ChainAccount, ChainEvent
from chain.services import token_allowance_enqueue

from .models import Organisation, Role

PAYS_INTO_CONTRACT = (Role.CORE_FIRM, Role.LENDER)
NEVER = 253_402_300_800  # 10000-01-01: beyond Python's datetime


def _moment(timestamp: int) -> datetime | None:
    """A chain timestamp as a datetime; None for 'never' (the founding admin's KYC is uint40 max)."""
    return datetime.fromtimestamp(timestamp, dt_timezone.utc) if timestamp < NEVER else None


def participant_registered(event: ChainEvent) -> None:
    args = event.args
    Organisation.objects.filter(chain_account__address=args["account"]).update(
        onchain_id=args["id"], kyc_expires_at=_moment(args["kycExpiresAt"])
    )
    _allow_payments(args["account"])


def _allow_payments(address: str) -> None:
    """Core firms and lenders pay into the contract (repayments, deposits): once registered (so
    their gas money has arrived), their accounts approve it for every settlement currency."""
    account = ChainAccount.objects.filter(address=address, organisation__role__in=PAYS_INTO_CONTRACT).first()
    for currency in client.manifest()["currencies"] if account else ():
        token_allowance_enqueue(account=account, currency=int(currency))


def kyc_renewed(event: ChainEvent) -> None:
    Organisation.objects.filter(chain_account__address=event.args["account"]).update(
        kyc_expires_at=_moment(event.args["kycExpiresAt"])
    )


def rating_posted(event: ChainEvent) -> None:
    """The rating with the time the contract stamped on it (its block's), by which it judges its age."""
    Organisation.objects.filter(chain_account__address=event.args["supplier"]).update(
        rating=event.args["rating"], rating_model_version=event.args["modelVersion"], rated_at=event.mined_at
    )


EVENT_HANDLERS = {
    "ParticipantRegistered": participant_registered,
    "KycRenewed": kyc_renewed,
    "RatingPosted": rating_posted,
}
