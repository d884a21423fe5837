"""Form fields and widgets the role pages share: an amount typed in currency units, a date picker."""

from django import forms
from django.core.exceptions import ValidationError

from invoices import validation

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """An amount in currency units, checked by the services' own rule (above zero, at most six
    decimals, within the contract's range) and returned as the decimal string they take."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            validation.micro_amount(value)
        except ValidationError as refusal:
            raise ValidationError(refusal.message_dict["amount"]) from None
        return value.strip()

