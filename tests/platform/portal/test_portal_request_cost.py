"""What every portal request costs before its page does anything: the session, and the signed-in
user with its organisation in one query (every page asks for the user's role, its organisation's
time zone and KYC status)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories import RegisteredOrganisationFactory, UserFactory
from organisations.models import Role

pytestmark = pytest.mark.django_db


def test_the_signed_in_user_comes_with_its_organisation_in_one_query(client):
    user = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))
    client.force_login(user)
    client.get(reverse("portal:tokens"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:tokens")).status_code == 200

    tables = [query["sql"].split(" FROM ", 1)[1].split()[0] for query in queries.captured_queries]
    assert tables.count('"organisations_organisation"') == 0, tables
    assert any(table == '"users_user"' and "organisations_organisation" in query["sql"]
               for table, query in zip(tables, queries.captured_queries))

