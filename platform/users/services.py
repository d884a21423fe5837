"""Onboarding of people: an organisation signs up with its first user (KYC pending until an admin
reviews it), and its users invite colleagues."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation, Role
from organisations.services import organisation_register

from .models import Invitation, User

INVITATION_VALIDITY = timedelta(days=7)
SELF_SERVICE_ROLES = (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_user(*, organisation: Organisation, username: str, email: str, password: str) -> User:
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Choose a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, email=email.strip(), organisation=organisation)
    try:
        validate_password(password, user)
    except ValidationError as weak:
        raise ValidationError({"password": weak.messages}) from None
    user.set_password(password)
    user.save()
    return user


def _sign_up_in_use(*, username: str, legal_id: str) -> bool:
    return (
        User.objects.filter(username__iexact=username.strip()).exists()
        or Organisation.objects.filter(legal_id__iexact=" ".join(legal_id.split())).exists()
    )


@transaction.atomic
def organisation_sign_up(*, name: str, legal_id: str, role: str, username: str, email: str, password: str) -> User:
    """A new organisation, pending KYC review, with its first user.

    Anyone may call this, so it must not tell whether a user name or a registration number is on
    the platform: either one in use gets the same refusal, on the form as a whole. (The checks in
    organisation_register and _new_user stay, and name the field, where the caller is known: an
    invitee holding a token, the operator's tools.)"""
    if role not in SELF_SERVICE_ROLES:
        raise ValidationError({"role": _("Choose supplier, core firm or lender.")})
    if _sign_up_in_use(username=username, legal_id=legal_id):
        raise ValidationError(
            _(
                "We cannot sign up these details. If your organisation is already on the platform, ask a "
                "colleague to invite you from its Team page; if not, choose another user name."
            ),
            code="in_use",
        )
    organisation = organisation_register(name=name, legal_id=legal_id, role=role)
    return _new_user(organisation=organisation, username=username, email=email, password=password)


@transaction.atomic
def invitation_create(*, invited_by: User, email: str, accept_url) -> tuple[Invitation, str]:
    """Invites `email` into the inviter's organisation. Returns the invitation and its one-time
    link (`accept_url(token)` builds it); the link is also e-mailed."""
    if invited_by.organisation_id is None:
        raise PermissionDenied(_("Only a member of an organisation can invite colleagues."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=invited_by.organisation,
        email=email.strip(),
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    link = accept_url(token)
    send_mail(
        subject=_("Join %(organisation)s on the supply-chain finance platform") % {"organisation": invited_by.organisation},
        message=_("%(user)s invites you. Open this link within 7 days: %(link)s") % {"user": invited_by, "link": link},
        from_email=None,
        recipient_list=[invitation.email],
        fail_silently=True,
    )
    return invitation, link


def invitation_open(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=_token_hash(token)).first()
    if invitation is None or invitation.accepted_by_id is not None:
        raise ValidationError(_("This invitation link is not valid or was already used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired: ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    invitation = invitation_open(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_by_id is not None:
        raise ValidationError(_("This invitation link is not valid or was already used."))
    user = _new_user(organisation=invitation.organisation, username=username, email=invitation.email, password=password)
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_by"])
    return user
