"""Factories for the financing tests: organisations with their custodial accounts, invoices and
pieces, built with the plain ORM (no chain)."""

from datetime import timedelta

import factory
from django.utils import timezone
from eth_account import Account
from factory.django import DjangoModelFactory

from chain import accounts
from chain.models import ChainAccount
from invoices.identity import canonical_invoice_number
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import KycStatus, Organisation, Role


class ChainAccountFactory(DjangoModelFactory):
    class Meta:
        model = ChainAccount

    label = factory.Sequence(lambda n: f"account-{n}")
    address = factory.LazyFunction(lambda: Account.create().address)
    encrypted_key = b""


class OrganisationFactory(DjangoModelFactory):
    """An approved organisation registered on chain, with its custodial account."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    legal_id = factory.Sequence(lambda n: f"LEI-{n:06d}")
    role = Role.SUPPLIER
    kyc_status = KycStatus.APPROVED
    onchain_id = factory.Sequence(lambda n: n + 100)

    @factory.post_generation
    def chain_account(organisation, create, extracted, **kwargs):
        if create:
            ChainAccountFactory(organisation=organisation, label=f"org-{organisation.pk}")


class SupplierFactory(OrganisationFactory):
    role = Role.SUPPLIER


class CoreFirmFactory(OrganisationFactory):
    role = Role.CORE_FIRM


class LenderFactory(OrganisationFactory):
    role = Role.LENDER


def risk_oracle() -> ChainAccount:
    return ChainAccountFactory(label=accounts.RISK_ORACLE)


def operator() -> ChainAccount:
    return ChainAccountFactory(label=accounts.OPERATOR)


class InvoiceFactory(DjangoModelFactory):
    """A confirmed invoice of 1,000.00 USDC, issued 30 days before it is due."""

    class Meta:
        model = Invoice

    seller = factory.SubFactory(SupplierFactory)
    buyer = factory.SubFactory(CoreFirmFactory)
    number = factory.Sequence(lambda n: f"INV-{n:05d}")
    canonical_number = factory.LazyAttribute(lambda invoice: canonical_invoice_number(invoice.number))
    amount = 1_000_000_000
    currency = Currency.USDC
    due_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=30))
    issue_date = factory.LazyAttribute(lambda invoice: invoice.due_date - timedelta(days=30))
    invoice_key = factory.Sequence(lambda n: f"0x{n + 2**255:064x}")
    fingerprint = factory.Sequence(lambda n: f"0x{n:064x}")
    document_hash = factory.Sequence(lambda n: f"0x{n + 2**254:064x}")
    status = InvoiceStatus.CONFIRMED


class PieceFactory(DjangoModelFactory):
    class Meta:
        model = Piece

    invoice = factory.SubFactory(InvoiceFactory)
    index = 0
    holder = factory.LazyAttribute(lambda piece: piece.invoice.seller)
    amount = factory.LazyAttribute(lambda piece: piece.invoice.amount)
