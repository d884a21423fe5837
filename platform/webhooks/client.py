"""The one HTTP request of a webhook delivery: a POST to the address that was checked, with the
name's Host header and TLS certificate check, no redirect followed, and the answer's head (status
line and headers) read up to a few KB within one deadline; the body is never read.

A failure before a status arrives is a `SendFailed` whose message is a short class of the error:
the delivery log keeps that and the status code, never what the endpoint said."""

import http.client
import io
import select
import socket
import ssl
import time
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings

from . import addresses

HTTPS_REQUIRED = "HTTPS required"
NAME_NOT_RESOLVED = "name not resolved"
REFUSED_ADDRESS = "refused address"
TIMEOUT = "timeout"
CONNECTION_REFUSED = "connection refused"
CONNECTION_FAILED = "connection failed"
TLS_ERROR = "TLS error"
RESPONSE_TOO_LARGE = "response too large"
BAD_RESPONSE = "bad response"
BAD_URL = "bad URL"


class SendFailed(Exception):
    """No status arrived; the message is the class of the error (one of the constants above)."""


class _HeadTooLarge(Exception):
    pass


class _BoundedAnswer(io.RawIOBase):
    """The socket's answer, read until the deadline and up to `limit` bytes in all, whatever the
    endpoint sends: a slow drip and an endless stream end the same way."""

    def __init__(self, sock: socket.socket, *, deadline: float, limit: int):
        super().__init__()
        self._sock, self._deadline, self._left = sock, deadline, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            raise _HeadTooLarge
        self._sock.settimeout(_remaining(self._deadline))
        received = self._sock.recv_into(memoryview(buffer)[: self._left])
        self._left -= received
        return received


class _BoundedResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, deadline: float, limit: int, **kwargs):
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the unbounded reader http.client made: replaced before anything is read
        self.fp = io.BufferedReader(_BoundedAnswer(sock, deadline=deadline, limit=limit), buffer_size=1024)


def _connect(address: addresses.Address, port: int, deadline: float) -> socket.socket:
    sock = socket.create_connection((str(address), port), timeout=_remaining(deadline))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to `address` (the checked one) while the Host header names `host` (the URL's)."""

    def __init__(self, host: str, port: int, *, address: addresses.Address, deadline: float):
        super().__init__(host, port)
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self._deadline)


class _PinnedTLSConnection(http.client.HTTPSConnection):
    """The same over TLS: SNI and the certificate's name are the URL's host."""

    def __init__(self, host: str, port: int, *, address: addresses.Address, deadline: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, context=self._tls)
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        tls = self._tls.wrap_socket(
            _connect(self._address, self.port, self._deadline), server_hostname=self.host, do_handshake_on_connect=False
        )
        # Non-blocking, each wait bounded by select(): a handshake dripped byte by byte ends at the deadline too.
        tls.settimeout(0)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                waiting = ([tls], [])
            except ssl.SSLWantWriteError:
                waiting = ([], [tls])
            if not any(select.select(*waiting, [], _remaining(self._deadline))):
                raise TimeoutError
        tls.settimeout(_remaining(self._deadline))
        self.sock = tls


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def post(url: str, *, body: bytes, headers: dict[str, str], deadline_seconds: float, head_limit: int) -> int:
    """POSTs `body` to `url`, a checked address of its host; the answer's status code."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    if settings.WEBHOOK_REQUIRE_HTTPS and not https:
        raise SendFailed(HTTPS_REQUIRED)
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as error:  # stored before registration checked URLs
        raise SendFailed(BAD_URL) from error
    if not parts.hostname:  # an empty name would resolve to this host's own addresses
        raise SendFailed(BAD_URL)
    deadline = time.monotonic() + deadline_seconds
    try:
        address = addresses.checked_address(parts.hostname, port)
    except addresses.HostUnresolved as error:
        raise SendFailed(NAME_NOT_RESOLVED) from error
    except addresses.AddressRefused as error:
        raise SendFailed(REFUSED_ADDRESS) from error
    connection = (_PinnedTLSConnection if https else _PinnedConnection)(parts.hostname, port, address=address, deadline=deadline)
    connection.response_class = partial(_BoundedResponse, deadline=deadline, limit=head_limit)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    except _HeadTooLarge as error:
        raise SendFailed(RESPONSE_TOO_LARGE) from error
    except TimeoutError as error:
        raise SendFailed(TIMEOUT) from error
    except ssl.SSLError as error:  # before OSError: a TLS failure is one
        raise SendFailed(TLS_ERROR) from error
    except ConnectionRefusedError as error:
        raise SendFailed(CONNECTION_REFUSED) from error
    except http.client.HTTPException as error:
        raise SendFailed(BAD_RESPONSE) from error
    except OSError as error:
        raise SendFailed(CONNECTION_FAILED) from error
    finally:
        connection.close()
