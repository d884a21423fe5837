"""Financing's reads: a supplier's history as the risk model sees it, who gets rated, and which
pieces have repayments to collect."""

from datetime import date, datetime, time, timedelta, timezone as dt_timezone
from types import SimpleNamespace

import pytest
from web3.exceptions import ContractLogicError

from financing import selectors
from financing.risk import SupplierHistory
from invoices.models import InvoiceStatus
from organisations.models import KycStatus, Role

from financing_factories import CoreFirmFactory, InvoiceFactory, OrganisationFactory, PieceFactory, SupplierFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=dt_timezone.utc)
DUE = date(2025, 6, 1)


def _repaid(seller, repaid_at: datetime | None, **fields):
    return InvoiceFactory(seller=seller, due_date=DUE, status=InvoiceStatus.REPAID, repaid_at=repaid_at, **fields)


def test_supplier_without_invoices_has_empty_history():
    assert selectors.supplier_history(SupplierFactory(), now=NOW) == SupplierHistory()


def test_repayment_on_the_due_date_up_to_midnight_is_on_time():
    supplier = SupplierFactory()
    buyer = CoreFirmFactory()
    _repaid(supplier, datetime.combine(DUE, time(23, 59, 59), dt_timezone.utc), buyer=buyer)
    _repaid(supplier, datetime.combine(DUE + timedelta(days=1), time(0), dt_timezone.utc), buyer=buyer)
    _repaid(supplier, None, buyer=buyer)

    history = selectors.supplier_history(supplier, now=NOW)

    assert (history.repaid_on_time, history.repaid_late) == (1, 2)


def test_outcomes_are_counted_by_status_and_unregistered_invoices_ignored():
    supplier = SupplierFactory()
    buyer = CoreFirmFactory()
    for status in (
        InvoiceStatus.REGISTERED, InvoiceStatus.CONFIRMED, InvoiceStatus.DISPUTED, InvoiceStatus.OVERDUE,
        InvoiceStatus.DEFAULTED, InvoiceStatus.DEFAULTED, InvoiceStatus.SUBMITTED, InvoiceStatus.FAILED,
    ):
        InvoiceFactory(seller=supplier, buyer=buyer, due_date=DUE, status=status)

    history = selectors.supplier_history(supplier, now=NOW)

    assert history == SupplierHistory(
        invoices_total=6, overdue=1, defaulted=2, disputed=1, volume=5_000_000_000, largest_buyer_share=1.0
    )


def test_concentration_is_the_largest_buyer_share_of_undisputed_volume():
    supplier = SupplierFactory()
    big, small = CoreFirmFactory(), CoreFirmFactory()
    InvoiceFactory(seller=supplier, buyer=big, amount=300, due_date=DUE)
    InvoiceFactory(seller=supplier, buyer=small, amount=100, due_date=DUE)
    InvoiceFactory(seller=supplier, buyer=small, amount=900, due_date=DUE, status=InvoiceStatus.DISPUTED)

    history = selectors.supplier_history(supplier, now=NOW)

    assert (history.volume, history.largest_buyer_share) == (400, 0.75)


def test_history_covers_two_years_up_to_now():
    supplier = SupplierFactory()
    window_start = (NOW - selectors.HISTORY_WINDOW).date()
    for issued in (window_start, window_start + timedelta(days=1), NOW.date(), NOW.date() + timedelta(days=1)):
        InvoiceFactory(seller=supplier, issue_date=issued, due_date=issued + timedelta(days=30))

    assert selectors.supplier_history(supplier, now=NOW).invoices_total == 2


def test_history_is_the_suppliers_own():
    supplier = SupplierFactory()
    InvoiceFactory(due_date=DUE)

    assert selectors.supplier_history(supplier, now=NOW).invoices_total == 0


def test_suppliers_to_rate_are_approved_and_registered_suppliers():
    rated = SupplierFactory()
    SupplierFactory(kyc_status=KycStatus.PENDING)
    SupplierFactory(kyc_status=KycStatus.SUSPENDED)
    SupplierFactory(onchain_id=None)
    CoreFirmFactory()
    OrganisationFactory(role=Role.LENDER)

    assert list(selectors.suppliers_to_rate()) == [rated]


def test_pieces_with_unclaimed_repayments_follow_the_pro_rata_rule():
    half_repaid = InvoiceFactory(amount=1000, repaid=500)
    unclaimed = PieceFactory(invoice=half_repaid, index=0, amount=600, claimed=0)
    PieceFactory(invoice=half_repaid, index=1, amount=400, claimed=200)  # claimed its 200 share
    fully_repaid = InvoiceFactory(amount=1000, repaid=1000, status=InvoiceStatus.REPAID)
    remainder = PieceFactory(invoice=fully_repaid, index=0, amount=1000, claimed=500)
    PieceFactory(invoice=InvoiceFactory(amount=1000, repaid=1000, status=InvoiceStatus.REPAID), claimed=1000)
    PieceFactory(invoice=InvoiceFactory(amount=1000, repaid=0))

    assert selectors.pieces_with_unclaimed_repayments() == [unclaimed, remainder]


def test_pro_rata_share_rounds_down_like_the_contract():
    invoice = InvoiceFactory(amount=3, repaid=1)
    PieceFactory(invoice=invoice, index=0, amount=2, claimed=0)  # 2 x 1 / 3 rounds down to 0

    assert selectors.pieces_with_unclaimed_repayments() == []


def test_a_piece_the_chain_refuses_to_value_has_nothing_claimable(monkeypatch):
    def refuse():
        raise ContractLogicError("execution reverted: PieceUnknown")

    contract = SimpleNamespace(functions=SimpleNamespace(claimable=lambda *args: SimpleNamespace(call=refuse)))
    monkeypatch.setattr(selectors.client, "platform_contract", lambda: contract)
    piece = PieceFactory(invoice=InvoiceFactory(amount=1000, repaid=1000))

    assert selectors.piece_claimable(piece) == 0
