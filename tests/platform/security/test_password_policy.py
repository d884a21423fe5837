"""The password policy (Django's AUTH_PASSWORD_VALIDATORS: at least 12 characters, not a common
password, not all digits, not like the user's name or e-mail) holds at sign-up, when an invitation
is accepted and when a signed-in user changes their password."""

import pytest
from django.urls import reverse

from organisations.models import Organisation, Role
from users.models import User

from factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
STRONG = "violet-harbour-lantern-73"


def _sign_up(client, password: str, username: str = "ningbo"):
    return client.post(reverse("portal:sign-up"), {
        "name": "Ningbo Fasteners", "legal_id": "91330200-XYZ", "role": Role.SUPPLIER,
        "username": username, "email": "ops@ningbo.example", "password": password,
    })


@pytest.mark.parametrize(("password", "rule"), [
    ("1", "at least 12 characters"),
    ("password1234", "too common"),
    ("483920571638", "entirely numeric"),
    ("ningbofasteners", "too similar"),
])
def test_sign_up_refuses_a_weak_password_and_names_the_rule(client, manifest, password, rule):
    page = _sign_up(client, password, username="ningbofasteners")

    assert page.status_code == 200
    assert rule in " ".join(page.context["form"].errors["password"])
    assert not User.objects.filter(username="ningbofasteners").exists()
    assert not Organisation.objects.filter(name="Ningbo Fasteners").exists()


def test_sign_up_accepts_a_strong_password(client, manifest):
    assert _sign_up(client, STRONG).status_code == 302
    assert User.objects.get(username="ningbo").check_password(STRONG)


def test_an_invitation_is_not_accepted_with_a_weak_password(client, mailoutbox):
    inviter = UserFactory(organisation=OrganisationFactory(role=Role.SUPPLIER))
    client.force_login(inviter)
    link = client.post(reverse("portal:team"), {"email": "colleague@example.com"}).context["link"]
    client.post(reverse("portal:logout"))

    refused = client.post(link, {"username": "colleague", "password": "short"})
    accepted = client.post(link, {"username": "colleague", "password": STRONG})

    assert "at least 12 characters" in " ".join(refused.context["form"].errors["password"])
    assert accepted.status_code == 302
    assert User.objects.get(username="colleague").check_password(STRONG)


def _member(password: str = STRONG) -> User:
    user = UserFactory(organisation=OrganisationFactory(role=Role.SUPPLIER))
    user.set_password(password)
    user.save()
    return user


def test_a_signed_in_user_changes_their_password_on_the_change_password_page(client):
    user = _member()
    client.force_login(user)

    page = client.get(reverse("portal:password-change"))
    changed = client.post(reverse("portal:password-change"), {
        "old_password": STRONG, "new_password1": "quiet-meadow-compass-18", "new_password2": "quiet-meadow-compass-18",
    })

    assert page.status_code == 200
    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.check_password("quiet-meadow-compass-18")
    assert client.get(reverse("portal:team")).status_code == 200  # still signed in


def test_the_change_password_page_refuses_a_weak_new_password(client):
    user = _member()
    client.force_login(user)

    page = client.post(reverse("portal:password-change"), {
        "old_password": STRONG, "new_password1": "123456789", "new_password2": "123456789",
    })

    assert page.status_code == 200
    assert "at least 12 characters" in " ".join(page.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_the_change_password_page_asks_for_the_current_password(client):
    user = _member()
    client.force_login(user)

    page = client.post(reverse("portal:password-change"), {
        "old_password": "not-my-password-at-all", "new_password1": "quiet-meadow-compass-18",
        "new_password2": "quiet-meadow-compass-18",
    })

    assert "old_password" in page.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_the_change_password_page_is_for_signed_in_users_only(client):
    assert client.get(reverse("portal:password-change")).status_code == 302
