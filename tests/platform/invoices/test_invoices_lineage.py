"""invoices.lineage: which pieces of a receivable each party sees (receivable_tree.py is the
world), whom it is shown as holding them, what of them it sees in full, and no query to say so."""

import pytest
from django.utils import timezone

from factories import FinancingRequestFactory, InvoiceFactory, PieceFactory, RegisteredOrganisationFactory
from financing.models import FinancingStatus
from invoices.lineage import visible_pieces, with_lineage
from invoices.models import Invoice
from organisations.models import Role
from receivable_tree import build_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build_tree()


def _seen(invoice, organisation) -> dict[int, str]:
    loaded = with_lineage(Invoice.objects.filter(pk=invoice.pk).prefetch_related("pieces__holder")).get()
    return {piece.index: piece.holder.name for piece in visible_pieces(loaded, organisation)}


def _in_full(invoice, organisation) -> set[int]:
    loaded = with_lineage(Invoice.objects.filter(pk=invoice.pk).prefetch_related("pieces__holder")).get()
    return {piece.index for piece in visible_pieces(loaded, organisation) if piece.financed is not None}


SELLER, TIER2, TIER3 = "Seller Works Ltd", "Tier Two Parts", "Tier Three Bolts"
SIBLING, SIBLING_LENDER = "Sibling Gears Ltd", "Sibling Lender Bank"


@pytest.mark.parametrize(("party", "seen", "in_full"), [
    pytest.param("buyer", {0: SELLER, 1: TIER2, 2: SIBLING_LENDER, 3: SIBLING, 4: TIER3}, {0, 1, 2, 3, 4},
                 id="the-buyer-owes-every-piece"),
    pytest.param("seller", {0: SELLER, 1: TIER2, 2: SIBLING}, {0}, id="the-seller-and-what-it-split-off-piece-0"),
    pytest.param("tier2", {0: SELLER, 1: TIER2}, {1}, id="tier-2-its-piece-and-its-parent"),
    pytest.param("tier3", {0: SELLER, 1: TIER2, 4: TIER3}, {4}, id="tier-3-its-lineage-up-to-piece-0"),
    pytest.param("sibling", {0: SELLER, 2: SIBLING_LENDER, 3: SIBLING}, {2, 3}, id="the-sibling-and-its-financing"),
    pytest.param("sibling_lender", {0: SELLER, 2: SIBLING_LENDER}, {2}, id="the-lender-the-piece-it-financed"),
])
def test_each_party_sees_the_pieces_it_is_party_to(tree, party, seen, in_full):
    assert _seen(tree.invoice, getattr(tree, party)) == seen
    assert _in_full(tree.invoice, getattr(tree, party)) == in_full


def test_an_organisation_without_a_part_in_the_receivable_sees_no_piece(tree):
    assert _seen(tree.invoice, RegisteredOrganisationFactory(role=Role.SUPPLIER)) == {}


def test_the_seller_that_passed_piece_0_on_sees_it_but_not_what_its_new_holder_split_off(tree):
    tree.pieces[0].holder = tree.tier2
    tree.pieces[0].save()

    assert _seen(tree.invoice, tree.seller) == {0: TIER2}


def test_the_seller_that_financed_piece_0_still_sees_what_it_split_off_and_its_own_lender(tree):
    lender = RegisteredOrganisationFactory(role=Role.LENDER, name="Seller's Bank")
    piece = tree.pieces[0]
    piece.holder, piece.financed = lender, True
    piece.save()
    FinancingRequestFactory(piece=piece, holder=tree.seller, lender=lender, status=FinancingStatus.APPROVED)

    assert _seen(tree.invoice, tree.seller) == {0: "Seller's Bank", 1: TIER2, 2: SIBLING}
    assert _seen(tree.invoice, tree.tier2) == {0: SELLER, 1: TIER2}  # not "Seller's Bank"


def test_a_piece_financed_in_full_stays_visible_to_the_supplier_that_had_it_financed():
    invoice = InvoiceFactory()
    tier2 = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    lender = RegisteredOrganisationFactory(role=Role.LENDER, name="Full Advance Bank")
    PieceFactory(invoice=invoice, amount=600_000_000)
    financed = PieceFactory(invoice=invoice, index=1, parent_index=0, holder=lender, amount=400_000_000, financed=True)
    FinancingRequestFactory(piece=financed, holder=tier2, lender=lender, status=FinancingStatus.APPROVED,
                            decided_at=timezone.now())

    assert _seen(invoice, tier2) == {0: invoice.seller.name, 1: "Full Advance Bank"}


def test_a_rejected_request_does_not_make_its_lender_a_party(tree):
    FinancingRequestFactory(piece=tree.pieces[1], holder=tree.tier2, status=FinancingStatus.REJECTED)

    assert _seen(tree.invoice, tree.tier2) == {0: SELLER, 1: TIER2}
    assert _seen(tree.invoice, tree.tier3) == {0: SELLER, 1: TIER2, 4: TIER3}


def test_an_invoice_not_yet_registered_has_no_piece_to_show():
    invoice = InvoiceFactory()

    assert _seen(invoice, invoice.seller) == {}
    assert _seen(invoice, invoice.buyer) == {}


def test_the_pieces_are_worked_out_without_a_query(tree, django_assert_num_queries):
    loaded = with_lineage(Invoice.objects.filter(pk=tree.invoice.pk).prefetch_related("pieces__holder")).get()

    with django_assert_num_queries(0):
        for party in (tree.buyer, tree.seller, tree.tier2, tree.tier3, tree.sibling, tree.sibling_lender):
            visible_pieces(loaded, party)
