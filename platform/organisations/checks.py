"""The checks every domain service makes of who acts and with whom: the user acts for the
organisation, in its role; the counterparty a request names exists in its role and may act on
chain. Each refusal names the field it is about."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .models import Organisation, Role
from .selectors import is_active


def require_member(user, organisation: Organisation, role: str, action: str) -> None:
    """Refuses unless `user` belongs to `organisation` and it has `role`; `action` says what was refused."""
    if user is None or user.organisation_id != organisation.pk or organisation.role != role:
        raise PermissionDenied(
            _("Only a user of the %(role)s can %(action)s.") % {"role": Role(role).label.lower(), "action": action}
        )


def party_named(raw_id: object, *, role: str, field: str, unknown: str, active: bool = True) -> Organisation:
    """The organisation of `role` whose id the caller gave for `field`. Refused with `unknown` when
    there is none, and, when `active`, when it has no current KYC approval and registration."""
    party = None
    if str(raw_id).isdigit():
        party = Organisation.objects.filter(pk=int(raw_id), role=role).first()
    if party is None:
        raise ValidationError({field: unknown})
    if active and not is_active(party):
        raise ValidationError(
            {field: _("%(name)s has no current KYC approval and on-chain registration.") % {"name": party.name}}
        )
    return party


def require_current(organisation: Organisation) -> None:
    """Refuses an organisation that cannot act on chain now: its KYC lapsed or it is not registered."""
    if not is_active(organisation):
        raise PermissionDenied(_("Your organisation needs a current KYC approval and on-chain registration first."))
