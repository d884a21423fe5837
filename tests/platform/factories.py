"""factory_boy factories for the Django suite: one per model that tests build directly."""

import functools
import json
from datetime import timedelta
from pathlib import Path

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from eth_utils import keccak

from chain import keys
from chain.models import ActionPurpose, ChainAccount, ChainAction, ChainEvent, action_key
from documents.models import Document, DocumentFormat, DocumentKind
from financing.models import FinancingRequest, Programme
from invoices.identity import canonical_invoice_number
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import KycStatus, Organisation, Role
from users.models import User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    legal_id = factory.Sequence(lambda n: f"LEI-{n:06d}")
    role = Role.SUPPLIER
    kyc_status = KycStatus.APPROVED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)


# Organisations as the chain knows them, their custodial accounts, invoices, pieces and the
# indexer's events; and the deployment manifest that chain code reads.

GANACHE_ACCOUNT_0 = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1"  # deployer of the local chain
COMPILED_PLATFORM = Path(__file__).resolve().parents[2] / "build" / "contracts" / "SupplyChainFinance.json"
COMPILED_TOKEN = COMPILED_PLATFORM.with_name("MockStablecoin.json")


def _hash_of(text: str) -> str:
    return "0x" + keccak(text=text).hex()


class ChainAccountFactory(factory.django.DjangoModelFactory):
    """A custodial account with a real key, encrypted with the test key-encryption key."""

    class Meta:
        model = ChainAccount

    class Params:
        key = factory.LazyFunction(keys.new_key)

    label = factory.Sequence(lambda n: f"account-{n}")
    address = factory.LazyAttribute(lambda account: account.key[0])
    encrypted_key = factory.LazyAttribute(lambda account: account.key[1])


class RegisteredOrganisationFactory(OrganisationFactory):
    """An approved organisation that the indexer has seen registered on chain, with its account."""

    class Meta:
        skip_postgeneration_save = True

    kyc_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=365))
    onchain_id = factory.Sequence(lambda n: n + 2)  # participant 1 is the founding admin
    chain_account = factory.RelatedFactory(ChainAccountFactory, factory_related_name="organisation")

    class Params:
        # A supplier the risk oracle rated 7 a day ago, as the mirror records it.
        rated = factory.Trait(rating=7, rating_model_version=1,
                              rated_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)))


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored invoice PDF, without its bytes: enough for hashing and attaching."""

    class Meta:
        model = Document

    organisation = factory.SubFactory(OrganisationFactory)
    kind = DocumentKind.INVOICE
    format = DocumentFormat.PDF
    original_name = factory.Sequence(lambda n: f"invoice-{n}.pdf")
    size = 1024
    keccak = factory.Sequence(lambda n: _hash_of(f"document-{n}"))
    file = factory.LazyAttribute(lambda document: f"documents/{document.keccak[2:]}.pdf")


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An invoice of 1,000.00 USDC registered on chain, issued ten days ago, due in fifty."""

    class Meta:
        model = Invoice

    seller = factory.SubFactory(RegisteredOrganisationFactory, role=Role.SUPPLIER)
    buyer = factory.SubFactory(RegisteredOrganisationFactory, role=Role.CORE_FIRM)
    number = factory.Sequence(lambda n: f"INV-{n:05d}")
    canonical_number = factory.LazyAttribute(lambda invoice: canonical_invoice_number(invoice.number))
    amount = 1_000_000_000
    currency = Currency.USDC
    issue_date = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=10))
    due_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=50))
    invoice_key = factory.Sequence(lambda n: _hash_of(f"invoice-key-{n}"))
    fingerprint = factory.Sequence(lambda n: _hash_of(f"invoice-{n}"))
    document_hash = factory.Sequence(lambda n: _hash_of(f"invoice-document-{n}"))
    status = InvoiceStatus.REGISTERED


class PieceFactory(factory.django.DjangoModelFactory):
    """Piece 0 of an invoice: the whole receivable, held by the seller."""

    class Meta:
        model = Piece

    invoice = factory.SubFactory(InvoiceFactory)
    index = 0
    holder = factory.LazyAttribute(lambda piece: piece.invoice.seller)
    amount = factory.LazyAttribute(lambda piece: piece.invoice.amount)


class FinancingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancingRequest

    piece = factory.SubFactory(PieceFactory)
    holder = factory.LazyAttribute(lambda request: request.piece.holder)
    lender = factory.SubFactory(RegisteredOrganisationFactory, role=Role.LENDER)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A lender's open USDC programme for a core firm, as the mirror holds it: 80% advanced at 5% a
    year plus 0.25% per notch below 10, up to 180 days, any rating posted within a year, with
    100,000.00 of liquidity and 1,000,000.00 of limit."""

    class Meta:
        model = Programme

    lender = factory.SubFactory(RegisteredOrganisationFactory, role=Role.LENDER)
    core_firm = factory.SubFactory(RegisteredOrganisationFactory, role=Role.CORE_FIRM)
    currency = Currency.USDC
    limit = 1_000_000_000_000
    advance_rate_bps = 8_000
    base_rate_bps = 500
    rating_spread_bps = 25
    max_tenor_days = 180
    min_rating = 1
    max_rating_age_days = 365
    liquidity = 100_000_000_000


class ChainActionFactory(factory.django.DjangoModelFactory):
    """An outbox row as `chain.services` writes it: give `purpose` and `subject` (any model row;
    a fresh account by default), and the call (`function`, `args`, `signer`, `status`)."""

    class Meta:
        model = ChainAction
        exclude = ("subject",)

    subject = factory.SubFactory(ChainAccountFactory)
    purpose = ActionPurpose.GAS_FUNDING
    subject_type = factory.LazyAttribute(lambda action: ContentType.objects.get_for_model(action.subject))
    subject_id = factory.LazyAttribute(lambda action: action.subject.pk)
    sequence = factory.Sequence(lambda n: n)
    idempotency_key = factory.LazyAttribute(
        lambda action: action_key(
            purpose=action.purpose, subject_type=action.subject_type, subject_id=action.subject_id,
            sequence=action.sequence,
        )
    )
    signer = factory.SubFactory(ChainAccountFactory)
    function = "transfer"
    args = factory.List([])


class ChainEventFactory(factory.django.DjangoModelFactory):
    """A contract log as the indexer stores it: `args` JSON-ready (hex strings, checksummed addresses)."""

    class Meta:
        model = ChainEvent

    block_number = factory.Sequence(lambda n: n + 1)
    block_hash = factory.Sequence(lambda n: _hash_of(f"block-{n}"))
    tx_hash = factory.Sequence(lambda n: _hash_of(f"tx-{n}"))
    log_index = 0
    args = factory.Dict({})
    mined_at = factory.LazyFunction(timezone.now)


@functools.cache
def _platform_abi() -> tuple:
    return tuple(json.loads(COMPILED_PLATFORM.read_text())["abi"])


def platform_abi() -> list[dict]:
    """The compiled SupplyChainFinance ABI (build/contracts, after `make compile`)."""
    return list(_platform_abi())


def deployment_manifest(path: Path, *, chain_id: int = 1337, deployer: str = GANACHE_ACCOUNT_0) -> Path:
    """Writes a deployment manifest as the deploy script would, for a contract that was never
    deployed: chain code that only needs the ABI, chain id or deployer works without a chain."""
    path.write_text(
        json.dumps(
            {
                "chain_id": chain_id,
                "genesis_hash": _hash_of("genesis"),
                "deployment_block": 1,
                "deployer": deployer,
                "contracts": {
                    "SupplyChainFinance": {"address": "0x" + "5c" * 20, "abi": platform_abi()},
                },
                "erc20_abi": json.loads(COMPILED_TOKEN.read_text())["abi"],
                "periods": {"grace_seconds": 5 * 86_400, "default_seconds": 30 * 86_400},
            }
        )
    )
    return path
