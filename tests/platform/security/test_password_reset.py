"""Password reset by e-mail: a one-time link to the address on file, the new password checked
against the policy, and the same answer whether or not the address belongs to anyone."""

import re

import pytest
from django.urls import reverse

from organisations.models import Role
from users.models import User

from factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
OLD = "violet-harbour-lantern-73"
NEW = "quiet-meadow-compass-18"


def _member(email: str = "ops@ningbo.example") -> User:
    user = UserFactory(organisation=OrganisationFactory(role=Role.SUPPLIER), email=email)
    user.set_password(OLD)
    user.save()
    return user


def _ask_for_a_reset(client, email: str):
    return client.post(reverse("portal:password-reset"), {"email": email}, follow=True)


def _link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _without_csrf_tokens(page) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", page.text)  # each response masks its CSRF token anew


def test_the_sign_in_page_offers_a_password_reset(client):
    page = client.get(reverse("portal:login")).text

    assert reverse("portal:password-reset") in page
    assert client.get(reverse("portal:password-reset")).status_code == 200


def test_a_reset_link_is_mailed_to_the_address_on_file(client, mailoutbox):
    user = _member()

    _ask_for_a_reset(client, "ops@ningbo.example")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ops@ningbo.example"]
    assert user.username in mailoutbox[0].body
    assert "/password/reset/" in _link_in(mailoutbox[0])


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, mailoutbox):
    _member()

    known = _ask_for_a_reset(client, "ops@ningbo.example")
    unknown = _ask_for_a_reset(client, "nobody@nowhere.example")

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("portal:password-reset-done"), 302)]
    assert _without_csrf_tokens(known) == _without_csrf_tokens(unknown)
    assert len(mailoutbox) == 1  # only the known address got a message


def test_the_link_sets_a_new_password_that_meets_the_policy_once(client, mailoutbox):
    user = _member()
    _ask_for_a_reset(client, user.email)
    form_page = client.get(_link_in(mailoutbox[0]), follow=True)
    set_password_url = form_page.redirect_chain[-1][0]

    weak = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})
    strong = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    again = client.get(_link_in(mailoutbox[0]), follow=True)

    assert "at least 12 characters" in " ".join(weak.context["form"].errors["new_password2"])
    assert strong.redirect_chain[-1][0] == reverse("portal:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert again.context["validlink"] is False
    assert "_auth_user_id" not in client.session  # a reset does not sign in: the second factor still applies


def test_the_new_password_signs_in(client, mailoutbox):
    user = _member()
    _ask_for_a_reset(client, user.email)
    set_password_url = client.get(_link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})

    signed_in = client.post(reverse("portal:login"), {"username": user.username, "password": NEW})

    assert signed_in.status_code == 302
