"""API tokens: created for an organisation by one of its users, checked on every API request."""

import hashlib
import secrets

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken

PREFIX = "scf_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, created_by, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's organisation, and its key: the only time the key is seen."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=created_by.organisation, created_by=created_by, name=name, prefix=key[:8], key_hash=_hash(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token scf_...`: the request acts for the token's organisation, as the user
    who created the token (whose role is the organisation's)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Token <key>.")
        token = (
            ApiToken.objects.select_related("created_by__organisation")
            .filter(key_hash=_hash(header[1]), revoked_at=None)
            .first()
        )
        if token is None or not token.created_by.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked API token.")
        return token.created_by, token

    def authenticate_header(self, request):
        return self.keyword
