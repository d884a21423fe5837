"""Forms of the second factor, sign-up, invitations and API tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Role

PASSWORD_POLICY = _("At least 12 characters, not a common password, not only digits and not like your user name or e-mail.")


def _new_password(label):
    return forms.CharField(label=label, help_text=PASSWORD_POLICY, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Authenticator code"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code is the 6 digits your authenticator app shows."))
        return code


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    legal_id = forms.CharField(label=_("Registration or tax number"), max_length=64)
    role = forms.ChoiceField(
        label=_("Your organisation is a"),
        choices=[(Role.SUPPLIER, _("Supplier")), (Role.CORE_FIRM, _("Core firm (buyer)")), (Role.LENDER, _("Lender"))],
    )
    username = forms.CharField(label=_("Your user name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"))
    password = _new_password(_("Password"))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"))


class AcceptForm(forms.Form):
    username = forms.CharField(label=_("Choose a user name"), max_length=150)
    password = _new_password(_("Choose a password"))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name, e.g. the ERP system using it"), max_length=100)


class KycDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("KYC document: PDF, PNG or JPEG"),
        help_text=_("Your registration certificate, and the ID of the people who sign for your organisation."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
