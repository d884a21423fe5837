"""Seeds the demo supply chain through the platform's own services, on a running platform (a
worker and the indexer must be up: each stage waits for the chain to confirm the previous one).

Every step is idempotent, so a seed cut off half-way resumes where it stopped. The demo users'
password is generated per installation and written, with the logins, to var/demo-logins.txt
(readable by its owner only); lenders and admins also get an authenticator key there, since
their role requires a second factor (`manage.py demo_code <user>` prints the current code)."""

import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from authenticators.models import EncryptedTOTPDevice
from chain import accounts, client
from organisations.bootstrap import platform_bootstrap
from chain.models import ActionStatus, ChainAction
from chain.services import token_mint_enqueue
from documents.models import DocumentKind
from documents.services import document_upload
from financing.models import Programme
from financing.services import financing_request, programmes, ratings_post
from invoices.models import Invoice, InvoiceStatus, Piece
from invoices.services import invoice_confirm, invoice_dispute, invoice_repay, invoice_submit, piece_split
from organisations.models import KycStatus, Organisation
from organisations.services import organisation_approve_kyc, organisation_register
from users.models import User

from . import cast
from .documents import ubl_invoice_xml

KYC_VALIDITY = timedelta(days=365)
WAIT_SECONDS = 120


@dataclass
class Login:
    username: str
    organisation: str
    role: str
    totp_key: str = ""


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def is_seeded() -> bool:
    return logins_file().exists() and read_logins().get("complete", False)


def _password() -> str:
    """The demo users' password: made once per installation, kept beside the logins."""
    if logins_file().exists():
        return read_logins()["password"]
    password = secrets.token_urlsafe(9)
    _write_logins(password, [], complete=False)
    return password


def _wait(what: str, ready) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"The chain did not confirm {what} within {WAIT_SECONDS} s: is the worker running?")
        time.sleep(0.5)


def _user(organisation: Organisation, username: str, password: str, logins: list[Login]) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"organisation": organisation})
    if created:
        user.set_password(password)
        user.save()
    key = ""
    if organisation.role in settings.TWO_FACTOR_REQUIRED_ROLES:
        device, _ = EncryptedTOTPDevice.objects.get_or_create(user=user, name="demo", defaults={"confirmed": True})
        key = device.bin_key.hex()
    logins.append(Login(username, organisation.name, organisation.get_role_display(), key))
    return user


def _organisation(name: str, legal_id: str, role: str, admin: User) -> Organisation:
    organisation = Organisation.objects.filter(legal_id=legal_id).first() or organisation_register(
        name=name, legal_id=legal_id, role=role
    )
    if organisation.kyc_status != KycStatus.APPROVED:
        organisation_approve_kyc(organisation=organisation, approved_by=admin, valid_until=timezone.now() + KYC_VALIDITY)
    return organisation


def _mint(organisation: Organisation, units: int) -> None:
    token = client.token_contract(client.currency_token(cast.USDC))
    decimals = token.functions.decimals().call()
    token_mint_enqueue(
        operator=accounts.operator_account(), account=accounts.organisation_account(organisation),
        currency=cast.USDC, units=units * 10**decimals, key="demo",
    )


def participants(password: str) -> tuple[dict[str, User], list[Login]]:
    """The operator's admin, the auditor, the core firm, three tiers of suppliers and two lenders,
    each with a user; KYC approved (queued on chain) and tokens minted to payers."""
    logins: list[Login] = []
    operator = platform_bootstrap().organisation
    admin = _user(operator, cast.ADMIN_USERNAME, password, logins)
    auditor_org = Organisation.objects.filter(legal_id=cast.AUDITOR[1]).first() or organisation_register(
        name=cast.AUDITOR[0], legal_id=cast.AUDITOR[1], role=cast.AUDITOR[2]
    )
    Organisation.objects.filter(pk=auditor_org.pk).update(kyc_status=KycStatus.APPROVED)
    users = {"admin": admin, "auditor": _user(auditor_org, cast.AUDITOR[3], password, logins)}
    for name, legal_id, role, username in cast.PARTICIPANTS:
        with transaction.atomic():
            organisation = _organisation(name, legal_id, role, admin)
            users[username] = _user(organisation, username, password, logins)
    if client.is_local_chain():
        _mint(users[cast.CORE_FIRM[3]].organisation, cast.CORE_FIRM_TOKENS)
        for lender in cast.LENDERS:
            _mint(users[lender[3]].organisation, cast.LENDER_TOKENS)
    return users, logins


def _settled() -> bool:
    """Nothing queued or in flight: the next stage's actions are simulated against its results."""
    return not ChainAction.objects.exclude(status__in=[ActionStatus.CONFIRMED, ActionStatus.FAILED]).exists()


def _registered(*users: User) -> bool:
    return not Organisation.objects.filter(pk__in=[user.organisation_id for user in users], onchain_id=None).exists()


def programmes_open(users: dict[str, User]) -> None:
    """Ratings for the suppliers; each lender's programme with the core firm, funded."""
    ratings_post()
    core_firm = users[cast.CORE_FIRM[3]].organisation
    for (_name, _legal, _role, username), terms in zip(cast.LENDERS, cast.PROGRAMME_TERMS):
        lender = users[username]
        programmes.programme_set_terms(
            lender_user=lender, core_firm_id=core_firm.pk, currency=cast.USDC, request_key="demo", **terms
        )
    _wait("the programme terms", _settled)
    for _name, _legal, _role, username in cast.LENDERS:
        programmes.programme_fund(
            lender_user=users[username], core_firm_id=core_firm.pk, currency=cast.USDC, amount=cast.PROGRAMME_FUNDING,
            request_key="demo",
        )


def _submit(supplier: User, buyer: Organisation, number: str, amount: str, due_in_days: int) -> Invoice:
    if existing := Invoice.objects.filter(seller=supplier.organisation, number=number).first():
        return existing
    today = timezone.now().date()
    issue, due = today - timedelta(days=5), today + timedelta(days=due_in_days)
    content = ubl_invoice_xml(
        number=number, seller_name=supplier.organisation.name, seller_id=supplier.organisation.legal_id,
        buyer_name=buyer.name, buyer_id=buyer.legal_id, amount=amount, currency="USD", issue_date=issue, due_date=due,
    )
    document = document_upload(
        organisation=supplier.organisation, uploaded_by=supplier, kind=DocumentKind.INVOICE,
        name=f"{number}.xml", content=content,
    )
    return invoice_submit(
        submitted_by=supplier, buyer_id=buyer.pk, number=number, amount=amount, currency=cast.USDC,
        issue_date=issue, due_date=due, document_ids=[document.pk],
    )


def _status(invoice: Invoice, *statuses: str) -> bool:
    return Invoice.objects.filter(pk=invoice.pk, status__in=statuses).exists()


# (number, amount, days to due date, what happens to it)
INVOICES = [
    ("HX-2026-101", "120000", 90, "awaiting confirmation"),
    ("HX-2026-102", "80000", 60, "confirmed"),
    ("HX-2026-103", "250000", 120, "split down three tiers, tier 2 financed"),
    ("HX-2026-104", "60000", 45, "financed by tier 1"),
    ("HX-2026-105", "30000", 30, "disputed"),
    ("HX-2026-106", "40000", 40, "repaid"),
    ("HX-2026-107", "120000", 90, "possible duplicate of HX-2026-101: same amount and dates, another number"),
]


def invoices(users: dict[str, User]) -> None:
    """Invoices at different stages of their life."""
    tier_1, tier_2, tier_3 = (users[tier[3]] for tier in (cast.TIER_1, cast.TIER_2, cast.TIER_3))
    core_user = users[cast.CORE_FIRM[3]]
    pudong, harbour = (users[lender[3]].organisation for lender in cast.LENDERS)
    submitted = {number: _submit(tier_1, core_user.organisation, number, amount, days) for number, amount, days, _ in INVOICES}
    _wait("the invoices' registration", lambda: all(_status(i, InvoiceStatus.REGISTERED) for i in submitted.values()))
    for number in ("HX-2026-102", "HX-2026-103", "HX-2026-104", "HX-2026-106"):
        invoice_confirm(invoice=submitted[number], confirmed_by=core_user)
    invoice_dispute(invoice=submitted["HX-2026-105"], disputed_by=core_user, reason="Goods not delivered in full")
    _wait("the confirmations", lambda: _status(submitted["HX-2026-106"], InvoiceStatus.CONFIRMED)
          and _status(submitted["HX-2026-104"], InvoiceStatus.CONFIRMED))

    chain_invoice = submitted["HX-2026-103"]
    whole = Piece.objects.get(invoice=chain_invoice, index=0)
    piece_split(piece=whole, split_by=tier_1, to_organisation_id=tier_2.organisation_id, amount="100000")
    # The demo's suppliers take the quote of the moment (min_payout None), as an ERP may.
    financing_request(piece=Piece.objects.get(invoice=submitted["HX-2026-104"], index=0), requested_by=tier_1,
                      lender_id=harbour.pk, min_payout=None)
    invoice_repay(invoice=submitted["HX-2026-106"], repaid_by=core_user, amount="40000", request_key="demo")
    _wait("the tier-2 piece", lambda: Piece.objects.filter(invoice=chain_invoice, holder=tier_2.organisation).exists())

    tier_2_piece = Piece.objects.get(invoice=chain_invoice, holder=tier_2.organisation)
    piece_split(piece=tier_2_piece, split_by=tier_2, to_organisation_id=tier_3.organisation_id, amount="40000")
    _wait("the tier-3 piece", lambda: Piece.objects.filter(invoice=chain_invoice, holder=tier_3.organisation).exists())
    financing_request(piece=Piece.objects.get(pk=tier_2_piece.pk), requested_by=tier_2, lender_id=pudong.pk,
                      min_payout=None)


def seed() -> list[Login]:
    """The whole demo, stage by stage; returns the logins and writes them with the password."""
    password = _password()
    users, logins = participants(password)
    everyone = list(users.values())
    _wait("the participants' registration", lambda: _registered(*[u for u in everyone if u.organisation.acts_on_chain]))
    _wait("the participants' tokens and allowances", _settled)
    users = {name: User.objects.select_related("organisation").get(pk=user.pk) for name, user in users.items()}
    programmes_open(users)
    _wait("the programmes", lambda: Programme.objects.filter(liquidity__gt=0).count() == len(cast.LENDERS))
    invoices(users)
    _write_logins(password, logins, complete=True)
    return logins


def _write_logins(password: str, logins: list[Login], *, complete: bool) -> None:
    path = logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(
        {"password": password, "complete": complete, "logins": [login.__dict__ for login in logins]}, indent=2
    ))


def read_logins() -> dict:
    return json.loads(logins_file().read_text())
