"""api.choices.ChoiceLabels: a model's get_<field>_display reads the label of its value from a
table built once per field, translated when read, as Django's own does from the choices."""

from unittest import mock

import pytest
from django.utils import translation

from factories import InvoiceFactory
from financing.models import FinancingRequest, FinancingStatus
from invoices.models import Invoice, InvoiceStatus
from organisations.models import KycStatus, Organisation, Role


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("status", list(InvoiceStatus))
def test_the_label_of_each_status_is_the_translated_choice(language, status):
    with translation.override(language):
        assert Invoice(status=status).get_status_display() == str(status.label)


def test_a_value_outside_the_choices_shows_as_itself():
    assert Invoice(status="mystery").get_status_display() == "mystery"
    assert Organisation(role=Role.SUPPLIER, kyc_status=KycStatus.APPROVED).get_kyc_status_display() == "Approved"


def test_a_label_costs_one_translation_however_many_choices_the_field_has():
    request = FinancingRequest(status=FinancingStatus.APPROVED)
    request.get_status_display()  # the table is built on first use

    with mock.patch.object(translation._trans, "gettext", wraps=translation._trans.gettext) as gettext:
        request.get_status_display()

    assert gettext.call_count == 1


@pytest.mark.django_db
def test_a_saved_invoice_shows_its_currency_label():
    invoice = InvoiceFactory()
    assert Invoice.objects.get(pk=invoice.pk).get_currency_display() == invoice.get_currency_display() != ""
