"""Forms of sign-in, second factor, sign-up, invitations and API tokens."""

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.models import Role
from users.throttling import wait_before_sign_in


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
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"))


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())],
        help_text=_("Invoice dates and \"today\" are judged in this time zone, and pages show times in it."),
    )


class AcceptForm(forms.Form):
    username = forms.CharField(label=_("Choose a user name"), max_length=150)
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name, e.g. the ERP system using it"), max_length=100)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a user name that failed too often lately (users.throttling)."""

    def clean(self):
        username = self.cleaned_data.get("username", "")
        if wait := wait_before_sign_in(username):
            minutes = max(1, round(wait.total_seconds() / 60))
            message = ngettext(
                "Too many failed sign-ins for this user name. Try again in %(minutes)s minute.",
                "Too many failed sign-ins for this user name. Try again in %(minutes)s minutes.",
                minutes,
            )
            raise forms.ValidationError(message % {"minutes": minutes}, code="throttled")
        return super().clean()


class KycDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("KYC document: PDF, PNG or JPEG"),
        help_text=_("Your registration certificate, and the ID of the people who sign for your organisation."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
