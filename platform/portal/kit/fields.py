"""Form fields and widgets the role pages share: an amount typed in currency units, a date picker,
a select of hundreds of options."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

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



class LongSelect(forms.Select):
    """A select of hundreds of flat choices (the time zones), rendered in Python as Django's
    Select renders it: Django's renders every option through a template of its own, which costs
    tens of milliseconds for the 600 time zones."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = self.format_value(value)
        rows, selected = [], False
        for choice, label in self.choices:
            chosen = not selected and str(choice) in wanted  # as Django's Select: the first match only
            selected = selected or chosen
            rows.append((choice, " selected" if chosen else "", label))
        options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)
