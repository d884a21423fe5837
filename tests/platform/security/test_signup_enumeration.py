"""Sign-up does not tell whether a user name or a registration number is already on the platform:
a user name in use and a registration number in use get one and the same refusal, on the form as a
whole, not next to either field."""

import pytest
from django.urls import reverse

from organisations.models import Organisation, Role
from users.models import User

from factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "violet-harbour-lantern-73"


def _sign_up(client, *, username: str, legal_id: str):
    return client.post(reverse("portal:sign-up"), {
        "name": "Probe Ltd", "legal_id": legal_id, "role": Role.SUPPLIER,
        "username": username, "email": "probe@example.com", "password": PASSWORD,
    })


@pytest.fixture
def on_the_platform():
    UserFactory(username="wuxi-ops", organisation=OrganisationFactory(legal_id="91320200-WUXI"))


def test_a_user_name_in_use_and_a_registration_number_in_use_get_the_same_refusal(client, manifest, on_the_platform):
    name_in_use = _sign_up(client, username="Wuxi-Ops", legal_id="NEW-1")
    number_in_use = _sign_up(client, username="new-person", legal_id="91320200-wuxi")

    assert name_in_use.status_code == number_in_use.status_code == 200
    assert name_in_use.context["form"].errors == number_in_use.context["form"].errors
    assert list(name_in_use.context["form"].errors) == ["__all__"]


@pytest.mark.parametrize(("username", "legal_id"), [("wuxi-ops", "NEW-1"), ("new-person", "91320200-WUXI")])
def test_the_refusal_does_not_say_which_is_in_use(client, manifest, on_the_platform, username, legal_id):
    page = _sign_up(client, username=username, legal_id=legal_id)

    assert "taken" not in page.text
    assert "already exists" not in page.text
    assert not page.context["form"]["username"].errors
    assert not page.context["form"]["legal_id"].errors


@pytest.mark.parametrize(("username", "legal_id"), [("wuxi-ops", "NEW-1"), ("new-person", "91320200-WUXI")])
def test_nothing_is_created_when_either_is_in_use(client, manifest, on_the_platform, username, legal_id):
    _sign_up(client, username=username, legal_id=legal_id)

    assert not Organisation.objects.filter(name="Probe Ltd").exists()
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


def test_a_new_user_name_and_registration_number_still_sign_up(client, manifest, on_the_platform):
    page = _sign_up(client, username="new-person", legal_id="NEW-1")

    assert page.status_code == 302
    assert User.objects.get(username="new-person").organisation.legal_id == "NEW-1"
