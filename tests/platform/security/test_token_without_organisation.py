"""A user of no organisation (a platform superuser) is refused a token with a sentence, not a 500."""

import pytest
from django.urls import reverse

from organisations.models import ApiToken

from signin import verified

pytestmark = pytest.mark.django_db


def test_a_superuser_without_an_organisation_is_refused_a_token(client, admin_user):
    verified(client, admin_user)

    page = client.post(reverse("portal:tokens"), {"name": "ERP"})

    assert page.status_code == 200
    assert "Only a user of an organisation can create its API tokens." in page.text
    assert page.context["key"] is None
    assert not ApiToken.objects.exists()
