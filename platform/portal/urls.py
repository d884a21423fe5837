"""The portal's pages: sign-in and account pages here, each role's pages in its own package."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from .accounts import kyc
from .accounts import views as accounts

app_name = "portal"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", accounts.otp_verify, name="otp-verify"),
    path("security/", accounts.otp_setup, name="otp-setup"),
    path("sign-up/", accounts.sign_up, name="sign-up"),
    path("password/", accounts.PasswordChange.as_view(), name="password-change"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="portal/accounts/password_reset.html",
        email_template_name="portal/accounts/password_reset_email.txt",
        subject_template_name="portal/accounts/password_reset_subject.txt",
        success_url=reverse_lazy("portal:password-reset-done"),
    ), name="password-reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="portal/accounts/password_reset_sent.html",
    ), name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="portal/accounts/password_reset_confirm.html",
        success_url=reverse_lazy("portal:password-reset-complete"),
    ), name="password-reset-confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="portal/accounts/password_reset_complete.html",
    ), name="password-reset-complete"),
    path("invitation/<str:token>/", accounts.invitation_accept, name="invitation"),
    path("team/", accounts.team, name="team"),
    path("kyc/", kyc.kyc_documents, name="kyc"),
    path("tokens/", accounts.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", accounts.token_revoke, name="token-revoke"),
    path("supplier/", include("portal.supplier.urls")),
    path("core-firm/", include("portal.core_firm.urls")),
    path("lender/", include("portal.lender.urls")),
    path("operator/", include("portal.operator.urls")),
]
