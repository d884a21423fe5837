"""The supplier's forms: uploading an invoice's documents (or a sheet of invoices with their
documents), reviewing the invoice before it is submitted, moving and financing a piece. Fields check what a browser can get wrong; the services
check the rest and their refusals are put next to the fields (portal.kit.forms.run_service)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentKind
from invoices import validation
from portal.kit.currencies import CURRENCY_CODES
from portal.kit.fields import DATE_INPUT, AmountField


class OrganisationChoiceField(forms.ModelChoiceField):
    """An organisation chosen by name. Registration numbers are shown only where the chooser needs
    them (`with_registration`): the buyer of an invoice, which the invoice names by its number;
    a recipient or a lender is known to the supplier by name."""

    def __init__(self, *args, with_registration: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_registration = with_registration

    def label_from_instance(self, organisation):
        return f"{organisation.name} ({organisation.legal_id})" if self.with_registration else organisation.name


class UploadForm(forms.Form):
    invoice = forms.FileField(
        label=_("Invoice: PDF, UBL XML or Factur-X PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.xml,application/pdf,application/xml,text/xml"}),
    )
    purchase_order = forms.FileField(
        label=_("Purchase order (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xml"}),
    )
    delivery_note = forms.FileField(
        label=_("Delivery note (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xml"}),
    )

    KINDS = {
        "invoice": DocumentKind.INVOICE,
        "purchase_order": DocumentKind.PURCHASE_ORDER,
        "delivery_note": DocumentKind.DELIVERY_NOTE,
    }


class BulkUploadForm(forms.Form):
    """A sheet of invoice lines and a ZIP of their documents (invoices.services.invoices_upload)."""

    sheet = forms.FileField(
        label=_("Invoice lines: CSV or XLSX"),
        help_text=_("One invoice a row, under a header naming the columns number, buyer (registration number or "
                    "name), amount, currency, issue_date, due_date, invoice_file, and optionally purchase_order_file "
                    "and delivery_note_file. Dates as YYYY-MM-DD; at most 500 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    archive = forms.FileField(
        label=_("Documents: ZIP"),
        help_text=_("The files the rows name, by file name or by path in the ZIP: PDF, UBL XML, Factur-X PDF or "
                    "scans. No folders outside the ZIP, links or archives inside it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class InvoiceReviewForm(forms.Form):
    buyer = OrganisationChoiceField(
        label=_("Buyer"), queryset=None, empty_label=_("Choose the buyer"), with_registration=True,
        help_text=_("Core firms with a current KYC approval."),
    )
    number = forms.CharField(label=_("Invoice number"), max_length=validation.MAX_NUMBER_LENGTH)
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("Choose the currency")), *((code, code) for code in CURRENCY_CODES)],
    )
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE_INPUT)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_INPUT)

    def __init__(self, *args, buyers, notes: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers
        for field, note in (notes or {}).items():
            self.fields[field].help_text = note


class TransferForm(forms.Form):
    to_organisation = OrganisationChoiceField(
        label=_("Recipient"), queryset=None, empty_label=_("Choose the supplier"),
        help_text=_("Suppliers with a current KYC approval."),
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = recipients


class SplitForm(TransferForm):
    amount = AmountField(label=_("Amount to split off"))

    field_order = ["amount", "to_organisation"]


OUT_OF_DATE = _("This page is out of date: reload it to see the current quotes.")


class FinanceForm(forms.Form):
    """Asks one lender for financing at the payout its quote showed. Both fields are hidden: the
    page shows each lender's quote, and the button next to it sends that lender and that payout."""

    lender = OrganisationChoiceField(
        queryset=None, widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This lender has no open programme for the piece's buyer and currency."),
                        "required": OUT_OF_DATE},
    )
    min_payout = forms.IntegerField(
        min_value=1, widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE, "min_value": OUT_OF_DATE},
    )

    def __init__(self, *args, lenders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lender"].queryset = lenders

    @classmethod
    def for_quote(cls, quote, *, lenders) -> "FinanceForm":
        """The form that asks the quote's lender at the quote's payout (one per quote on a page:
        no ids, so they do not repeat)."""
        return cls(prefix="finance", lenders=lenders, auto_id=False,
                   initial={"lender": quote.lender.pk, "min_payout": quote.payout})
