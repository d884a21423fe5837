"""portal.kit.moments and the `moment` filter: a time shows in the organisation's zone with that
zone's offset; in Chinese the zone's name is translated too."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation

from organisations.models import Organisation, Role
from portal.kit.moments import moment_text, zone_label

from factories import InvoiceFactory, OrganisationFactory, RegisteredOrganisationFactory, UserFactory
from signin import verified

MOMENT = datetime(2026, 12, 3, 12, 15, 30, tzinfo=dt_timezone.utc)


@pytest.mark.parametrize("offset, label", [
    (timedelta(0), "UTC"), (timedelta(hours=8), "UTC+08:00"), (timedelta(hours=-3, minutes=-30), "UTC-03:30"),
    (timedelta(hours=5, minutes=45), "UTC+05:45"),
])
def test_a_zone_is_named_by_its_offset_from_utc(offset, label):
    assert zone_label(offset) == label


def test_a_moment_shows_on_the_clock_of_the_active_zone_with_the_zone():
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert moment_text(MOMENT) == "2026-12-03 20:15 UTC+08:00"
        assert moment_text(MOMENT, "seconds") == "2026-12-03 20:15:30 UTC+08:00"
    with timezone.override(ZoneInfo("UTC")):
        assert moment_text(MOMENT) == "2026-12-03 12:15 UTC"


def test_a_moment_follows_summer_time():
    with timezone.override(ZoneInfo("Europe/Paris")):
        assert moment_text(datetime(2026, 7, 1, 12, 0, tzinfo=dt_timezone.utc)) == "2026-07-01 14:00 UTC+02:00"
        assert moment_text(datetime(2026, 12, 1, 12, 0, tzinfo=dt_timezone.utc)) == "2026-12-01 13:00 UTC+01:00"


def test_the_zone_reads_in_chinese():
    with translation.override("zh-hans"), timezone.override(ZoneInfo("Asia/Shanghai")):
        assert moment_text(MOMENT) == "2026-12-03 20:15 协调世界时+08:00"


def _render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


def test_the_filter_shows_nothing_for_no_moment_and_refuses_an_unknown_precision():
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        assert _render('{{ when|moment:"seconds" }}', when=MOMENT) == "2026-12-03 20:15:30 UTC+08:00"
        assert _render('{{ when|moment|default:"–" }}', when=None) == "–"
        with pytest.raises(TemplateSyntaxError):
            _render('{{ when|moment:"hours" }}', when=MOMENT)


# On the pages: the operator's participant page, in the admin's zone, and the admin setting a zone


@pytest.fixture
def admin_client(client, db, manifest, settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"
    admin = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.ADMIN, time_zone="Asia/Shanghai"))
    return verified(client, admin)


def test_a_page_shows_times_in_the_organisations_zone_with_the_zone(admin_client):
    supplier = OrganisationFactory(role=Role.SUPPLIER, time_zone="UTC", kyc_expires_at=MOMENT)

    page = admin_client.get(reverse("portal:operator:participant", args=[supplier.pk])).content.decode()

    assert "2026-12-03 20:15 UTC+08:00" in page  # the admin's own zone, not the supplier's
    assert "2026-12-03 12:15" not in page


def test_an_admin_sets_a_participants_time_zone(admin_client):
    lender = OrganisationFactory(role=Role.LENDER, time_zone="UTC")
    url = reverse("portal:operator:participant-time-zone", args=[lender.pk])

    assert admin_client.post(url, {"time_zone": "Asia/Shanghai"}).status_code == 302
    assert Organisation.objects.get(pk=lender.pk).time_zone == "Asia/Shanghai"
    refused = admin_client.post(url, {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 200 and Organisation.objects.get(pk=lender.pk).time_zone == "Asia/Shanghai"


def test_an_auditor_cannot_set_a_time_zone(client, db, manifest):
    lender = OrganisationFactory(role=Role.LENDER, time_zone="UTC")
    verified(client, UserFactory(organisation=OrganisationFactory(role=Role.AUDITOR)))

    response = client.post(reverse("portal:operator:participant-time-zone", args=[lender.pk]), {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 403
    assert Organisation.objects.get(pk=lender.pk).time_zone == "UTC"


def test_the_api_gives_times_in_iso_8601_with_their_offset(client, db):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER, time_zone="Asia/Shanghai")
    InvoiceFactory(seller=supplier)
    client.force_login(UserFactory(organisation=supplier))

    [invoice] = client.get("/api/invoices/").json()["results"]

    assert datetime.fromisoformat(invoice["created_at"]).utcoffset() is not None
