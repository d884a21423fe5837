"""A receivable split across three tiers with a financed branch: the world of the tests of who
sees which pieces of an invoice (invoices.lineage, the supplier's invoice page, the invoices API).

    piece 0  the seller's                                   400.00
    ├── 1    tier 2's, split off by the seller              200.00
    │   └── 4  tier 3's, split off by tier 2                100.00
    └── 2    the sibling's, split off by the seller, then
             financed: held by the sibling's lender         270.00
        └── 3  the sibling's reserve of that financing       30.00
"""

from dataclasses import dataclass

from django.utils import timezone

from factories import FinancingRequestFactory, InvoiceFactory, PieceFactory, RegisteredOrganisationFactory
from financing.models import FinancingStatus
from invoices.models import Invoice, InvoiceStatus, Piece
from organisations.models import Organisation, Role


@dataclass
class Tree:
    invoice: Invoice
    seller: Organisation
    buyer: Organisation
    tier2: Organisation
    tier3: Organisation
    sibling: Organisation
    sibling_lender: Organisation
    pieces: dict[int, Piece]


def _organisation(role: str, name: str) -> Organisation:
    return RegisteredOrganisationFactory(role=role, name=name)


def build_tree() -> Tree:
    seller = _organisation(Role.SUPPLIER, "Seller Works Ltd")
    buyer = _organisation(Role.CORE_FIRM, "Buyer Motors plc")
    tier2 = _organisation(Role.SUPPLIER, "Tier Two Parts")
    tier3 = _organisation(Role.SUPPLIER, "Tier Three Bolts")
    sibling = _organisation(Role.SUPPLIER, "Sibling Gears Ltd")
    sibling_lender = _organisation(Role.LENDER, "Sibling Lender Bank")
    invoice = InvoiceFactory(seller=seller, buyer=buyer, status=InvoiceStatus.CONFIRMED, amount=1_000_000_000)
    rows = [  # index, parent, holder, amount, financed
        (0, None, seller, 400_000_000, False),
        (1, 0, tier2, 200_000_000, False),
        (2, 0, sibling_lender, 270_000_000, True),
        (3, 2, sibling, 30_000_000, False),
        (4, 1, tier3, 100_000_000, False),
    ]
    pieces = {
        index: PieceFactory(invoice=invoice, index=index, parent_index=parent, holder=holder, amount=amount,
                            financed=financed)
        for index, parent, holder, amount, financed in rows
    }
    FinancingRequestFactory(
        piece=pieces[2], holder=sibling, lender=sibling_lender, status=FinancingStatus.APPROVED, advance=270_000_000,
        discount=2_000_000, tenor_days=50, rating=7, decided_at=timezone.now(),
    )
    return Tree(invoice=invoice, seller=seller, buyer=buyer, tier2=tier2, tier3=tier3, sibling=sibling,
                sibling_lender=sibling_lender, pieces=pieces)
