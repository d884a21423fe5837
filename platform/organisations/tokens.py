"""API tokens: created for an organisation by one of its users, checked on every API request."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken

PREFIX = "scf_"
# How stale ApiToken.last_used_at may be: a busy ERP then costs one write a minute, not one a call.
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, created_by, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's organisation, and its key: the only time the key is seen. It
    expires API_TOKEN_LIFETIME_DAYS from now."""
    if created_by.organisation_id is None:
        raise ValidationError(_("Only a user of an organisation can create its API tokens."))
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation_id=created_by.organisation_id, created_by=created_by, name=name, prefix=key[:8],
        key_hash=_hash(key), expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())


def _note_use(token: ApiToken, now) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token scf_...`: the request acts for the token's organisation, as the user
    who created the token (whose role is the organisation's), while that user still belongs to
    it: the organisation comes from the token, never from wherever its creator went since."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Token <key>."))
        token = (
            ApiToken.objects.select_related("created_by__organisation")
            .filter(key_hash=_hash(header[1]), revoked_at=None)
            .first()
        )
        if token is None or not token.created_by.is_active:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API token."))
        if token.created_by.organisation_id != token.organisation_id:
            raise exceptions.AuthenticationFailed(
                _("This API token's creator no longer belongs to the organisation it was created for; "
                  "a member of the organisation must create a new token.")
            )
        now = timezone.now()
        if token.has_expired(now):
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(date)s; create a new one in the portal.")
                % {"date": token.expires_at.date().isoformat()}
            )
        _note_use(token, now)
        return token.created_by, token

    def authenticate_header(self, request):
        return self.keyword
