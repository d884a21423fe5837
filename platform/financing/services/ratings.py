"""Supplier ratings, posted through the risk oracle: each new rating is recorded with its inputs
and queued once per model version per day, so a replayed or overlapping run never posts twice."""

from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ChainAccount
from chain.selectors import actions_about
from chain.services import action_enqueue_next
from organisations.models import Organisation

from .. import selectors
from ..models import RatingRecord
from ..risk import supplier_rating

MAX_MODEL_VERSION = 2**32 - 1  # the contract stores it as uint32


def ratings_post(*, model_version: int | None = None) -> list[RatingRecord]:
    """Rates every registered supplier with approved KYC and queues each new rating's postRating,
    signed by the risk oracle. Returns the ratings recorded by this run.

    A supplier whose mirrored rating and model version already equal the new ones is skipped while
    its rating is younger than `selectors.rating_refresh_age` (the chain refuses financing on a
    rating older than the programme accepts); a supplier gets at most one rating per model version
    per day: a replayed run the same day records and sends nothing.
    """
    version = settings.RISK_MODEL_VERSION if model_version is None else model_version
    if not isinstance(version, int) or not 1 <= version <= MAX_MODEL_VERSION:
        raise ValidationError(
            {
                "model_version": _("The model version must be a whole number from 1 to %(highest)s.")
                % {"highest": MAX_MODEL_VERSION}
            }
        )
    oracle = _risk_oracle()
    now = timezone.now()
    refresh_age = selectors.rating_refresh_age()
    posted = []
    for supplier in selectors.suppliers_to_rate():
        record = _supplier_rate(supplier=supplier, oracle=oracle, model_version=version, now=now,
                                refresh_age=refresh_age)
        if record:
            posted.append(record)
    return posted


def _risk_oracle() -> ChainAccount:
    oracle = ChainAccount.objects.filter(label=accounts.RISK_ORACLE).first()
    if oracle is None:
        raise ImproperlyConfigured("There is no risk-oracle account yet: the platform bootstrap creates it.")
    return oracle


def _fresh(supplier: Organisation, now: datetime, refresh_age: timedelta | None) -> bool:
    """Whether the supplier's posted rating needs no new post to stay within every programme's age."""
    if refresh_age is None:
        return True
    return supplier.rated_at is not None and now - supplier.rated_at < refresh_age


@transaction.atomic
def _supplier_rate(
    *, supplier: Organisation, oracle: ChainAccount, model_version: int, now: datetime,
    refresh_age: timedelta | None,
) -> RatingRecord | None:
    # The lock on the supplier keeps two overlapping runs from both recording the day's rating.
    supplier = Organisation.objects.select_for_update(of=("self",)).select_related("chain_account").get(pk=supplier.pk)
    history = selectors.supplier_history(supplier, now=now)
    rating = supplier_rating(history)
    if (supplier.rating, supplier.rating_model_version) == (rating, model_version) and _fresh(
        supplier, now, refresh_age
    ):
        return None
    key = f"{model_version}:{now.date().isoformat()}"  # one rating per model version per day
    if actions_about(supplier, ActionPurpose.RATING_POST).filter(request_key=key).exists():
        return None
    record = RatingRecord.objects.create(
        supplier=supplier, rating=rating, model_version=model_version, inputs=asdict(history)
    )
    action_enqueue_next(
        purpose=ActionPurpose.RATING_POST,
        subject=supplier,
        signer=oracle,
        function="postRating",
        args=[supplier.chain_account.address, rating, model_version],
        request_key=key,
    )
    return record
