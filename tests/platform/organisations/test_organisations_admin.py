"""organisations.admin (and users.admin): organisations are looked at in the admin, not edited
there, since KYC changes must queue their on-chain counterpart; users show their organisation."""

import pytest
from django.urls import reverse

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organisation_list_and_page_show_the_organisation(admin_client):
    organisation = RegisteredOrganisationFactory(name="Acme Supplies Ltd", legal_id="LEI-ACME")

    assert "LEI-ACME" in admin_client.get(reverse("admin:organisations_organisation_changelist")).text
    page = admin_client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk]))
    assert page.status_code == 200
    assert "Acme Supplies Ltd" in page.text


def test_organisation_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    organisation = RegisteredOrganisationFactory(kyc_status="pending")

    assert admin_client.get(reverse("admin:organisations_organisation_add")).status_code == 403
    change = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    assert admin_client.post(change, {"kyc_status": "approved"}).status_code == 403
    delete = reverse("admin:organisations_organisation_delete", args=[organisation.pk])
    assert admin_client.get(delete).status_code == 403
    organisation.refresh_from_db()
    assert organisation.kyc_status == "pending"


def test_user_list_and_page_show_the_users_organisation(admin_client):
    user = UserFactory(username="clerk", organisation=RegisteredOrganisationFactory(name="Acme Supplies Ltd"))

    assert "Acme Supplies Ltd" in admin_client.get(reverse("admin:users_user_changelist")).text
    page = admin_client.get(reverse("admin:users_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert 'name="organisation"' in page.text
