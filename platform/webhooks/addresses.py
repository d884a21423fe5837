"""Where a webhook may go: the public addresses of the internet, and the networks a deployment
allows in WEBHOOK_ALLOWED_NETWORKS (an ERP on the company's own network). A host is resolved and
every address it has is judged; the caller then connects to the address judged, never to a second
answer of the name server (DNS rebinding)."""

import ipaddress
import socket

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: some clouds' metadata lives here
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class HostUnresolved(Exception):
    """The host has no address."""


class AddressRefused(Exception):
    """The host has an address no webhook may go to; the message names the address and its class."""


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to (mapped, 6to4 or NAT64), which is where it leads."""
    if address.version == 4:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refused_kind(address: Address) -> str | None:
    """What an address no webhook may go to is ("a loopback address", ...), None for a public one."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and (kind := refused_kind(embedded)):
        return kind
    rules = (
        (address.is_loopback, _("a loopback address")),
        (address.is_unspecified, _("an unspecified address")),
        (address.is_link_local, _("a link-local address")),
        (address.is_multicast, _("a multicast address")),
        (address in UNIQUE_LOCAL, _("a unique-local address")),
        (address in SHARED, _("a shared (carrier-grade NAT) address")),
        (address.version == 6 and address.is_site_local, _("a site-local address")),
        (address.is_reserved, _("a reserved address")),
        (address.is_private, _("a private address")),
        (not address.is_global, _("a non-public address")),
    )
    return next((kind for refused, kind in rules if refused), None)


def _allowed(address: Address) -> bool:
    embedded = _embedded_ipv4(address)
    return any(
        address in network or (embedded is not None and embedded in network)
        for network in map(ipaddress.ip_network, settings.WEBHOOK_ALLOWED_NETWORKS)
    )


def resolve(host: str, port: int) -> list[Address]:
    """Every address of `host` (an IP literal is its own), in the resolver's order."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise HostUnresolved(_("The URL's host %(host)s does not resolve.") % {"host": host}) from error
    addresses = [ipaddress.ip_address(sockaddr[0].split("%")[0]) for *_, sockaddr in answers]
    if not addresses:
        raise HostUnresolved(_("The URL's host %(host)s does not resolve.") % {"host": host})
    return list(dict.fromkeys(addresses))


def _refusal(host: str, address: Address, kind: str) -> str:
    values = {"host": host, "address": address, "kind": kind}
    if host.strip("[]") == str(address):
        return _("The URL's host is %(address)s, %(kind)s: webhooks go to public addresses only.") % values
    return _(
        "The URL's host %(host)s resolves to %(address)s, %(kind)s: webhooks go to public addresses only."
    ) % values


def checked_address(host: str, port: int) -> Address:
    """The address to connect to for `host`: its first, once every one it has is allowed (a name
    with one private address among public ones is refused: which one is used is the resolver's)."""
    addresses = resolve(host, port)
    for address in addresses:
        kind = refused_kind(address)
        if kind and not _allowed(address):
            raise AddressRefused(_refusal(host, address, kind))
    return addresses[0]
