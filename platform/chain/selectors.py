"""Reads of the outbox by what the actions are for: the actions on a domain row, of some purposes,
and those whose effect the mirror does not show yet."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .models import IN_FLIGHT, ActionPurpose, ChainAction, ChainEvent, TransactionAttempt


def about(model: type[models.Model], ids, *purposes: ActionPurpose) -> Q:
    """The condition for actions on any of the rows `ids` of `model`, of the given purposes (any
    purpose, if none is given): to combine with others in one query."""
    condition = Q(subject_type=ContentType.objects.get_for_model(model), subject_id__in=list(ids))
    return condition & Q(purpose__in=purposes) if purposes else condition


def actions_about(subject: models.Model, *purposes: ActionPurpose) -> models.QuerySet[ChainAction]:
    """The actions on one domain row, of the given purposes (all, if none is given)."""
    return ChainAction.objects.filter(about(type(subject), [subject.pk], *purposes))


def not_yet_mirrored() -> Q:
    """The condition for actions in flight whose transaction the indexer has not applied yet: what
    they will change is not in the mirrored rows. The indexer applies a transaction's events before
    it marks its actions confirmed, and the sender may record a receipt after the indexer has read
    its block, so the status alone would count an action twice for a moment; its events tell."""
    applied = Exists(ChainEvent.objects.filter(tx_hash=OuterRef("tx_hash")))
    indexed = Exists(TransactionAttempt.objects.filter(applied, transaction_id=OuterRef("transaction_id")))
    return Q(status__in=IN_FLIGHT) & ~indexed


def unmirrored(actions: models.QuerySet[ChainAction], *fields: str) -> list[tuple]:
    """The `fields` of those of the actions that are in flight and not mirrored yet (see
    `not_yet_mirrored`). Pages ask it of every list and nearly always find no action in flight:
    so the mirror is asked only about the actions found, as building its SQL costs more than
    running the simple question."""
    found = list(actions.filter(status__in=IN_FLIGHT).values_list("pk", *fields))
    if not found:
        return []
    pending = set(
        ChainAction.objects.filter(not_yet_mirrored(), pk__in=[row[0] for row in found]).values_list("pk", flat=True)
    )
    return [row[1:] for row in found if row[0] in pending]
