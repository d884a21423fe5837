"""Reads of the outbox by what the actions are for: the actions on a domain row, of some purposes."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .models import ActionPurpose, ChainAction


def about(model: type[models.Model], ids, *purposes: ActionPurpose) -> Q:
    """The condition for actions on any of the rows `ids` of `model`, of the given purposes (any
    purpose, if none is given): to combine with others in one query."""
    condition = Q(subject_type=ContentType.objects.get_for_model(model), subject_id__in=list(ids))
    return condition & Q(purpose__in=purposes) if purposes else condition


def actions_about(subject: models.Model, *purposes: ActionPurpose) -> models.QuerySet[ChainAction]:
    """The actions on one domain row, of the given purposes (all, if none is given)."""
    return ChainAction.objects.filter(about(type(subject), [subject.pk], *purposes))
