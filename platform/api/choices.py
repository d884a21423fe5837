"""ChoiceLabels, for models whose choice fields pages show in lists: get_<field>_display reads
the label from a table built once per field. Django's own rebuilds the table on every call from
the field's choices, hashing each lazy label and so translating every label of the field to show
one: a list of 50 invoices with their status and currency paid for over a thousand translations."""

from functools import cache

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field) -> dict:
    return {value: label for value, label in field.flatchoices}


class ChoiceLabels:
    """Put before models.Model among a model's bases."""

    def _get_FIELD_display(self, field):  # noqa: N802: the name Django's get_<field>_display calls
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's own takes it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
