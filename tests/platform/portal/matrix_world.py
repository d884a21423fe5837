"""The permission matrix's world: two sides, Alpha (A) and Bravo (B), each with one organisation
per role, a user of each (with a confirmed TOTP device), and what the organisations own: an
invoice sold by the side's supplier to its core firm, a piece of it held by the supplier and a
piece financed by the lender, the financing request, the lender's programme, an attached and a
draft document (with their files), the supplier's KYC document, an on-chain action signed by
each trading organisation, and an API token, a webhook endpoint and a delivery for every
organisation. Beside them, a side of organisations whose KYC is pending (one per role, each with
a member and an API token, owning nothing): what they may open is the KYC gate's business.

A side's private markers are strings of its business that no other side may ever see; its
identity markers are its organisations' names and legal ids."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db.models import Model
from django.utils import timezone

from authenticators.models import EncryptedTOTPDevice
from chain.models import ActionPurpose
from chain.services import action_enqueue, action_enqueue_next
from factories import (
    DocumentFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    OrganisationFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus, Programme
from invoices.models import Currency, InvoiceStatus
from documents.models import DocumentKind
from organisations.models import KycStatus, Organisation, Role
from organisations.tokens import api_token_create
from users.models import User
from webhooks.models import WebhookDelivery, WebhookEndpoint

TRADING_ROLES = (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER)  # the roles with a custodial account
PDF_BYTES = b"%PDF-1.4\n% permission matrix\n"


@dataclass
class Side:
    tag: str
    organisations: dict[str, Organisation]
    users: dict[str, User]
    api_keys: dict[str, str]
    # (role, kind) -> the object of that kind the role's organisation owns (may open).
    owned: dict[tuple[str, str], Model]
    # kind -> an object of the side, for pages that show every organisation's (the operator's).
    representative: dict[str, Model]
    private_markers: list[str]
    identity_markers: list[str]
    every: dict[str, set[int]] = field(init=False)

    def __post_init__(self):
        self.every = {}
        for (_role, kind), obj in self.owned.items():
            self.every.setdefault(kind, set()).add(obj.pk)
        for kind, obj in self.representative.items():
            self.every.setdefault(kind, set()).add(obj.pk)

    @property
    def markers(self) -> list[str]:
        return self.private_markers + self.identity_markers


@dataclass
class World:
    a: Side
    b: Side
    pending: Side
    media_root: Path


def build_world(media_root: Path) -> World:
    return World(a=_side("Alpha", media_root), b=_side("Bravo", media_root), pending=_pending_side(),
                 media_root=media_root)


def _pending_side() -> Side:
    organisations = {
        role: OrganisationFactory(role=role, kyc_status=KycStatus.PENDING, name=f"Pending {Role(role).label} Ltd",
                                  legal_id=f"LEI-PENDING-{role.upper()}")
        for role in Role.values
    }
    users = {role: _member("Pending", organisation) for role, organisation in organisations.items()}
    api_keys = {role: api_token_create(created_by=user, name=f"Pending {role} token")[1] for role, user in users.items()}
    return Side(
        tag="Pending", organisations=organisations, users=users, api_keys=api_keys, owned={}, representative={},
        private_markers=[], identity_markers=[marker for org in organisations.values() for marker in (org.name, org.legal_id)],
    )


def _organisation(tag: str, role: str) -> Organisation:
    fields = {"role": role, "name": f"{tag} {Role(role).label} Ltd", "legal_id": f"LEI-{tag.upper()}-{role.upper()}"}
    if role in TRADING_ROLES:
        return RegisteredOrganisationFactory(**fields)
    return OrganisationFactory(kyc_expires_at=timezone.now() + timedelta(days=365), **fields)


def _member(tag: str, organisation: Organisation) -> User:
    user = UserFactory(username=f"{tag.lower()}-{organisation.role}", organisation=organisation)
    EncryptedTOTPDevice.objects.create(user=user, name="test", confirmed=True)  # conftest.verified() signs in with it
    return user


def _document(owner: Organisation, name: str, media_root: Path, invoice=None, kind=DocumentKind.INVOICE):
    document = DocumentFactory(organisation=owner, invoice=invoice, original_name=name, kind=kind)
    stored = media_root / document.file.name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(PDF_BYTES)
    return document


def _side(tag: str, media_root: Path) -> Side:
    organisations = {role: _organisation(tag, role) for role in Role.values}
    users = {role: _member(tag, organisation) for role, organisation in organisations.items()}
    supplier, core_firm, lender = (organisations[role] for role in TRADING_ROLES)

    invoice = InvoiceFactory(
        seller=supplier, buyer=core_firm, number=f"INV-{tag.upper()}-7731", status=InvoiceStatus.CONFIRMED
    )
    held = PieceFactory(invoice=invoice, index=0, holder=supplier, amount=600_000_000)
    financed = PieceFactory(invoice=invoice, index=1, parent_index=0, holder=lender, amount=400_000_000, financed=True)
    financing = FinancingRequestFactory(
        piece=financed, holder=supplier, lender=lender, status=FinancingStatus.APPROVED, advance=360_000_000,
        discount=4_000_000, tenor_days=50, rating=5, decided_at=timezone.now(),
    )
    programme = Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=100_000_000_000, advance_rate_bps=9_000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=25, min_rating=5, liquidity=50_000_000_000,
        exposure=400_000_000,
    )
    attached = _document(supplier, f"{tag}-invoice-7731.pdf", media_root, invoice=invoice)
    draft = _document(supplier, f"{tag}-draft-invoice.pdf", media_root)
    kyc = _document(supplier, f"{tag}-registration-certificate.pdf", media_root, kind=DocumentKind.KYC)
    actions = {
        Role.SUPPLIER: action_enqueue(
            purpose=ActionPurpose.INVOICE_REGISTER, subject=invoice,
            signer=supplier.chain_account, function="registerInvoice", args=[],
        ),
        Role.CORE_FIRM: action_enqueue(
            purpose=ActionPurpose.INVOICE_CONFIRM, subject=invoice,
            signer=core_firm.chain_account, function="confirmInvoice", args=[],
        ),
        Role.LENDER: action_enqueue_next(
            purpose=ActionPurpose.PROGRAMME_FUND, subject=lender, request_key=tag,
            signer=lender.chain_account, function="fundProgramme",
            args=[core_firm.chain_account.address, Currency.USDC, 5_000_000],
        ),
    }
    tokens, api_keys, endpoints, deliveries = {}, {}, {}, {}
    for role, user in users.items():
        tokens[role], api_keys[role] = api_token_create(created_by=user, name=f"{tag} {role} ERP token")
        endpoints[role] = WebhookEndpoint.objects.create(
            organisation=organisations[role], url=f"https://{tag.lower()}-{role}.example.com/hooks",
            encrypted_secret=b"matrix", events=[],
        )
        deliveries[role] = WebhookDelivery.objects.create(
            endpoint=endpoints[role], event="invoice.confirmed", payload={"invoice": invoice.number},
        )

    owned = {
        (Role.SUPPLIER, "invoice"): invoice, (Role.CORE_FIRM, "invoice"): invoice, (Role.LENDER, "invoice"): invoice,
        (Role.SUPPLIER, "piece"): held, (Role.LENDER, "piece"): financed,
        (Role.SUPPLIER, "request"): financing, (Role.LENDER, "request"): financing,
        (Role.LENDER, "programme"): programme,
        (Role.SUPPLIER, "document"): draft, (Role.CORE_FIRM, "document"): attached,
    }
    owned |= {(role, "action"): action for role, action in actions.items()}
    for role in Role.values:
        owned |= {
            (role, "organisation"): organisations[role], (role, "token"): tokens[role],
            (role, "endpoint"): endpoints[role], (role, "delivery"): deliveries[role],
        }
    return Side(
        tag=tag,
        organisations=organisations,
        users=users,
        api_keys=api_keys,
        owned=owned,
        representative={
            # The document of the operator's pages (the participant's KYC documents).
            "invoice": invoice, "piece": held, "request": financing, "programme": programme, "document": kyc,
            "action": actions[Role.SUPPLIER], "organisation": supplier, "token": tokens[Role.SUPPLIER],
            "endpoint": endpoints[Role.SUPPLIER], "delivery": deliveries[Role.SUPPLIER],
        },
        private_markers=[
            invoice.number, invoice.fingerprint, invoice.fingerprint[:10], invoice.document_hash,
            attached.original_name, draft.original_name, kyc.original_name,
            *(token.name for token in tokens.values()), *(endpoint.url for endpoint in endpoints.values()),
        ],
        identity_markers=[marker for org in organisations.values() for marker in (org.name, org.legal_id)],
    )
