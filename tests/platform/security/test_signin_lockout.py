"""One lockout for every sign-in path (the portal's /login/ and the Django admin's /admin/login/):
after 5 failed passwords for a user name from one client address, that name is refused from that
address for 15 minutes, right password or not. Another address, or another name, is not locked, so
nobody can lock someone else out from afar."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from organisations.models import Role
from users.models import User

from factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "violet-harbour-lantern-73"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Too many failed sign-ins for this user name from your address. Try again in 15\xa0minutes."


def _member(**fields) -> User:
    user = UserFactory(organisation=OrganisationFactory(role=Role.SUPPLIER), **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _fail(client, path: str, username: str, times: int = 5, **extra):
    for _ in range(times):
        client.post(path, {"username": username, "password": "a-wrong-guess"}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_on_the_admin_sign_in_lock_the_portal_sign_in(client):
    staff = _member(is_staff=True)
    _fail(client, ADMIN_LOGIN, staff.username)

    page = client.post(reverse("portal:login"), {"username": staff.username, "password": PASSWORD})

    assert page.status_code == 429
    assert LOCKED in page.text
    assert not _signed_in(client)


def test_five_failures_on_the_portal_sign_in_lock_the_admin_sign_in(client):
    staff = _member(is_staff=True)
    _fail(client, reverse("portal:login"), staff.username)

    page = client.post(ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD})

    assert page.status_code == 429
    assert LOCKED in page.text
    assert not _signed_in(client)


def test_the_fifth_failure_already_answers_with_the_lockout(client):
    user = _member()
    _fail(client, reverse("portal:login"), user.username, times=4)

    fifth = client.post(reverse("portal:login"), {"username": user.username, "password": "a-wrong-guess"})

    assert fifth.status_code == 429
    assert LOCKED in fifth.text


def test_the_lockout_holds_for_any_spelling_of_the_user_name(client):
    user = _member(username="ningbo")
    _fail(client, reverse("portal:login"), "NingBo ")

    page = client.post(reverse("portal:login"), {"username": "ningbo", "password": PASSWORD})

    assert page.status_code == 429


def test_another_client_address_is_not_locked(client):
    user = _member()
    _fail(client, reverse("portal:login"), user.username, REMOTE_ADDR="127.0.0.9")

    page = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="127.0.0.1")

    assert page.status_code == 302
    assert _signed_in(client)


def test_a_forwarded_for_header_does_not_change_the_client_address(client):
    user = _member()
    _fail(client, reverse("portal:login"), user.username)

    page = client.post(
        reverse("portal:login"), {"username": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="127.0.0.77"
    )

    assert page.status_code == 429


def test_behind_trusted_proxies_the_address_is_the_one_the_last_proxy_appended(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    user = _member()
    for spoofed in ("127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14", "127.0.0.15"):
        client.post(reverse("portal:login"), {"username": user.username, "password": "a-wrong-guess"},
                    HTTP_X_FORWARDED_FOR=f"{spoofed}, 127.0.0.50", REMOTE_ADDR="127.0.0.2")

    same_client = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD},
                              HTTP_X_FORWARDED_FOR="127.0.0.16, 127.0.0.50", REMOTE_ADDR="127.0.0.2")
    other_client = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD},
                               HTTP_X_FORWARDED_FOR="127.0.0.51", REMOTE_ADDR="127.0.0.2")

    assert same_client.status_code == 429
    assert other_client.status_code == 302


def test_another_user_name_from_the_same_address_is_not_locked(client):
    victim, other = _member(), _member()
    _fail(client, reverse("portal:login"), victim.username)

    page = client.post(reverse("portal:login"), {"username": other.username, "password": PASSWORD})

    assert page.status_code == 302


def test_the_page_says_how_long_is_left_and_the_lock_ends_after_15_minutes(client):
    user = _member()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, reverse("portal:login"), user.username)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        later = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        after = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})

    assert later.status_code == 429
    assert "Try again in 4\xa0minutes." in later.text
    assert after.status_code == 302


def test_the_time_left_is_said_in_chinese_too(client):
    user = _member()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    _fail(client, reverse("portal:login"), user.username)

    page = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})

    assert page.status_code == 429
    assert "15\xa0分钟" in page.text


def test_a_successful_sign_in_clears_the_earlier_failures(client):
    user = _member()
    _fail(client, reverse("portal:login"), user.username, times=4)
    assert client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    client.post(reverse("portal:logout"))

    _fail(client, reverse("portal:login"), user.username, times=4)
    page = client.post(reverse("portal:login"), {"username": user.username, "password": PASSWORD})

    assert page.status_code == 302
