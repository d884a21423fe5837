"""Sign-in, the second factor, sign-up, invitations and API tokens in the portal."""

from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from authenticators.models import EncryptedTOTPDevice
from organisations.models import ApiToken, KycStatus, Organisation, Role
from portal.middleware import OrganisationTimeZone
from users.models import Invitation, User

from signin import verified
from factories import OrganisationFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-demo-passphrase-42"


def _user(role: str) -> User:
    user = UserFactory(organisation=OrganisationFactory(role=role))
    user.set_password(PASSWORD)
    user.save()
    return user


def _code(device: EncryptedTOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset_steps):06d}"


def _sign_in(client, user):
    return client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})


def test_a_supplier_signs_in_with_a_password_alone(client):
    user = _user(Role.SUPPLIER)
    assert _sign_in(client, user).status_code == 302
    page = client.get(reverse("portal:team"))
    assert page.status_code == 200
    assert user.username in page.text


def test_a_wrong_password_is_refused_with_a_message(client):
    user = _user(Role.SUPPLIER)
    page = client.post(reverse("portal:login"), {"username": user.username, "password": "wrong"})
    assert page.status_code == 200
    assert "correct username and password" in page.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", [Role.LENDER, Role.ADMIN, Role.AUDITOR])
def test_roles_that_require_a_second_factor_must_set_one_up_before_anything_else(client, role):
    user = _user(role)
    _sign_in(client, user)
    page = client.get(reverse("portal:team"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("portal:otp-setup"))
    assert client.get("/api/invoices/").status_code == 403


def test_setting_up_an_authenticator_verifies_the_session(client):
    user = _user(Role.LENDER)
    _sign_in(client, user)
    page = client.get(reverse("portal:otp-setup"))
    assert page.status_code == 200
    device = EncryptedTOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("portal:otp-setup"), {"code": "000000" if _code(device) != "000000" else "111111"}).status_code == 200
    assert not EncryptedTOTPDevice.objects.get(pk=device.pk).confirmed
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("portal:otp-setup"), {"code": _code(device)}).status_code == 302
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("portal:team")).status_code == 200


def test_a_user_with_an_authenticator_gives_its_code_at_each_sign_in(client):
    user = _user(Role.ADMIN)
    device = EncryptedTOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _sign_in(client, user)
    assert client.get(reverse("portal:team")).url.startswith(reverse("portal:otp-verify"))
    wrong = client.post(reverse("portal:otp-verify"), {"code": "12345x"})
    assert "6 digits" in wrong.text
    stale = client.post(reverse("portal:otp-verify"), {"code": _code(device, offset_steps=-20)})
    assert "wrong or has expired" in stale.text
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert client.post(reverse("portal:otp-verify"), {"code": _code(device)}).status_code == 302
    assert client.get(reverse("portal:team")).status_code == 200


def test_repeated_wrong_codes_are_throttled(client):
    user = _user(Role.ADMIN)
    device = EncryptedTOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _sign_in(client, user)
    for _ in range(3):
        client.post(reverse("portal:otp-verify"), {"code": "000000" if _code(device) != "000000" else "111111"})
    right_but_throttled = client.post(reverse("portal:otp-verify"), {"code": _code(device)})
    assert right_but_throttled.status_code == 200
    assert "Too many wrong codes" in right_but_throttled.text
    assert not client.session.get("otp_device_id")


def test_django_admin_requires_the_second_factor_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302
    assert verified(client, admin_user).get("/admin/").status_code == 200


def test_posts_without_a_csrf_token_are_refused(client):
    user = _user(Role.SUPPLIER)
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse("portal:tokens"), {"name": "ERP"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_session_cookie_is_http_only_and_expires(settings, client):
    user = _user(Role.SUPPLIER)
    response = _sign_in(client, user)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_signing_out_ends_the_session(client):
    user = _user(Role.SUPPLIER)
    _sign_in(client, user)
    client.post(reverse("portal:logout"))
    assert client.get(reverse("portal:team")).status_code == 302


def test_an_organisation_signs_up_and_waits_for_kyc(client, manifest):
    page = client.post(reverse("portal:sign-up"), {
        "name": "Ningbo Fasteners", "legal_id": "91330200-XYZ", "role": Role.SUPPLIER,
        "username": "ningbo", "email": "ops@ningbo.example", "password": PASSWORD,
    })
    assert page.status_code == 302
    organisation = Organisation.objects.get(name="Ningbo Fasteners")
    assert organisation.kyc_status == KycStatus.PENDING
    assert "KYC" in client.get(reverse("portal:team")).text


def test_a_sign_up_refusal_is_shown_and_nothing_is_created(client, manifest):
    OrganisationFactory(legal_id="DUPLICATE-1")
    page = client.post(reverse("portal:sign-up"), {
        "name": "Copy Ltd", "legal_id": "duplicate-1", "role": Role.SUPPLIER,
        "username": "copy", "email": "a@b.example", "password": "short",
    })
    assert page.status_code == 200
    assert "We cannot sign up these details" in page.text
    assert not User.objects.filter(username="copy").exists()
    assert not Organisation.objects.filter(name="Copy Ltd").exists()


def test_an_admin_role_cannot_be_chosen_at_sign_up(client):
    page = client.post(reverse("portal:sign-up"), {
        "name": "Sneaky", "legal_id": "SNEAK-1", "role": Role.ADMIN,
        "username": "sneaky", "email": "a@b.example", "password": PASSWORD,
    })
    assert page.status_code == 200
    assert not Organisation.objects.filter(name="Sneaky").exists()


def test_a_colleague_joins_by_invitation_once(client, mailoutbox):
    inviter = _user(Role.SUPPLIER)
    client.force_login(inviter)
    page = client.post(reverse("portal:team"), {"email": "colleague@example.com"})
    link = page.context["link"]
    assert link in mailoutbox[0].body
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only a hash is stored
    client.post(reverse("portal:logout"))
    accepted = client.post(link, {"username": "colleague", "password": PASSWORD})
    assert accepted.status_code == 302
    assert User.objects.get(username="colleague").organisation == inviter.organisation
    client.post(reverse("portal:logout"))
    assert client.get(link).status_code == 404


def test_an_api_token_is_shown_once_and_can_be_revoked(client):
    user = _user(Role.SUPPLIER)
    client.force_login(user)
    page = client.post(reverse("portal:tokens"), {"name": "SAP"})
    key = page.context["key"]
    assert key.startswith("scf_")
    token = ApiToken.objects.get()
    assert key not in client.get(reverse("portal:tokens")).text
    client.post(reverse("portal:token-revoke", args=[token.pk]))
    assert ApiToken.objects.get().revoked_at is not None


def test_another_organisations_token_cannot_be_revoked(client):
    owner, stranger = _user(Role.SUPPLIER), _user(Role.SUPPLIER)
    client.force_login(owner)
    client.post(reverse("portal:tokens"), {"name": "SAP"})
    client.force_login(stranger)
    assert client.post(reverse("portal:token-revoke", args=[ApiToken.objects.get().pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_the_language_switch_shows_the_portal_in_chinese(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "登录" in client.get(reverse("portal:login")).text


def test_password_guessing_is_refused_after_five_failures_even_with_the_right_password(client):
    user = _user(Role.SUPPLIER)
    for _ in range(5):
        client.post(reverse("portal:login"), {"username": user.username, "password": "guess"})
    page = client.post(reverse("portal:login"), {"username": user.username.upper(), "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many failed sign-ins for this user name from your address. Try again in 15\xa0minutes." in page.text
    assert "_auth_user_id" not in client.session


def test_failures_expire_and_a_successful_sign_in_clears_them(client):
    from datetime import timedelta

    from axes.models import AccessAttempt

    user = _user(Role.SUPPLIER)
    for _ in range(5):
        client.post(reverse("portal:login"), {"username": user.username, "password": "guess"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, user).status_code == 302
    assert not AccessAttempt.objects.exists()


# The organisation's profile: its time zone


def test_the_team_page_shows_the_organisations_time_zone_and_changes_it(client):
    user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER, time_zone="Asia/Shanghai"))
    client.force_login(user)

    page = client.get(reverse("portal:team")).content.decode()
    response = client.post(reverse("portal:team"), {"time_zone": "Europe/Paris"})

    assert 'data-testid="organisation-time-zone">Asia/Shanghai<' in page
    assert response.status_code == 302
    user.organisation.refresh_from_db()
    assert user.organisation.time_zone == "Europe/Paris"


def test_an_unknown_time_zone_is_refused_next_to_the_field(client):
    user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER, time_zone="Asia/Shanghai"))
    client.force_login(user)

    response = client.post(reverse("portal:team"), {"time_zone": "Mars/Olympus"})

    assert "time_zone" in response.context["zone_form"].errors
    user.organisation.refresh_from_db()
    assert user.organisation.time_zone == "Asia/Shanghai"


def test_a_request_judges_today_in_the_organisations_time_zone(rf):
    user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER, time_zone="Asia/Shanghai"))
    request = rf.get("/")
    request.user = user
    seen = {}

    def view(request):
        seen["today"] = timezone.localdate()
        return HttpResponse()

    with time_machine.travel(datetime(2026, 12, 2, 23, 30, tzinfo=dt_timezone.utc), tick=False):
        OrganisationTimeZone(view)(request)
        after = timezone.localdate()

    assert seen["today"] == date(2026, 12, 3)
    assert after == date(2026, 12, 2)  # the zone is the request's only
