"""The integration tests' business world, built through the platform's own services."""

from datetime import date, timedelta

from django.utils import timezone
from eth_utils import keccak

from organisations.bootstrap import platform_bootstrap
from chain.models import ActionStatus, ChainAction
from documents.models import Document, DocumentFormat, DocumentKind
from organisations.models import Organisation, Role
from organisations.services import organisation_approve_kyc, organisation_register
from users.models import User

from localnet import wait_until


def operator_admin() -> User:
    operator = platform_bootstrap()
    user, _ = User.objects.get_or_create(username="operator-admin", defaults={"organisation": operator.organisation})
    return user


def onboard(admin: User, name: str, role: str) -> tuple[Organisation, User]:
    organisation = organisation_register(name=name, legal_id=f"LEI-{name.upper()}", role=role)
    organisation_approve_kyc(organisation=organisation, approved_by=admin, valid_until=timezone.now() + timedelta(days=365))
    user = User.objects.create(username=f"{name}-user", organisation=organisation)
    return organisation, user


def wait_for_registration(*organisations: Organisation, timeout: float = 60) -> None:
    def registered():
        return all(Organisation.objects.get(pk=org.pk).onchain_id for org in organisations)

    wait_until(registered, timeout, message="on-chain registration of " + ", ".join(o.name for o in organisations))


def wait_for_actions(timeout: float = 60) -> None:
    def settled():
        return not ChainAction.objects.exclude(status__in=[ActionStatus.CONFIRMED, ActionStatus.FAILED]).exists()

    wait_until(settled, timeout, message="every action confirmed or failed")


def invoice_document(seller: Organisation, number: str) -> Document:
    content = f"%PDF-1.4 invoice {number} of {seller.legal_id}".encode()
    return Document.objects.create(
        organisation=seller, kind=DocumentKind.INVOICE, format=DocumentFormat.PDF, original_name=f"{number}.pdf",
        size=len(content), keccak="0x" + keccak(content).hex(), file=f"documents/test/{number}.pdf",
    )


def due_in(days: int) -> date:
    return timezone.now().date() + timedelta(days=days)
