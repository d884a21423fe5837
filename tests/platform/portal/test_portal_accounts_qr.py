"""portal.accounts.qr: the authenticator key's QR code is an SVG image a browser can draw on its
own, so it carries the SVG namespace, and it encodes the key's otpauth:// address."""

import re
from html import unescape
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from authenticators.models import EncryptedTOTPDevice
from organisations.models import Role
from portal.accounts.qr import qr_data_uri

from factories import OrganisationFactory, UserFactory

SVG = "{http://www.w3.org/2000/svg}"


def _svg(data_uri: str) -> ElementTree.Element:
    media_type, _comma, data = data_uri.partition(",")
    assert media_type.startswith("data:image/svg+xml")
    return ElementTree.fromstring(unquote(data))


def test_the_qr_code_is_an_svg_in_the_svg_namespace():
    root = _svg(qr_data_uri("otpauth://totp/Platform:alice?secret=JBSWY3DPEHPK3PXP"))

    assert root.tag == f"{SVG}svg"
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0
    assert root.findall(f"{SVG}path")


@pytest.mark.django_db
def test_the_security_page_shows_the_qr_code_of_the_users_own_key(client):
    user = UserFactory(organisation=OrganisationFactory(role=Role.LENDER))
    client.force_login(user)

    page = client.get(reverse("portal:otp-setup")).content.decode()

    [src] = re.findall(r'<img class="qr" src="([^"]+)"', page)
    device = EncryptedTOTPDevice.objects.get(user=user, confirmed=False)
    assert unescape(src) == qr_data_uri(device.config_url)
    assert _svg(unescape(src)).tag == f"{SVG}svg"
