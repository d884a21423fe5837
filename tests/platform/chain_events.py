"""Helpers for the tests of the apps' chain handlers: contract events as the indexer stores them
(ChainEvent rows) applied through the chain app's extension point, with every handler the apps
registered, and the actions the chain refused, settled through the same point."""

from types import SimpleNamespace

from chain.handlers import actions_settled, event_apply
from chain.models import ActionStatus
from factories import ChainActionFactory, ChainEventFactory, FinancingRequestFactory, InvoiceFactory, PieceFactory
from factories import RegisteredOrganisationFactory
from financing.models import FinancingRequest, Programme
from invoices.models import Invoice, InvoiceStatus, LifecyclePeriods, Piece
from organisations.models import Organisation, Role


def address(organisation: Organisation) -> str:
    return organisation.chain_account.address


def apply_event(name: str, **args):
    event = ChainEventFactory(name=name, args=args)
    event_apply(event)
    return event


def a_world() -> SimpleNamespace:
    """A supplier's confirmed invoice of 1,000.00 to a core firm, whole (piece 0), and a lender."""
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    invoice = InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.CONFIRMED, amount=1_000_000_000)
    return SimpleNamespace(
        supplier=supplier,
        tier2=RegisteredOrganisationFactory(role=Role.SUPPLIER),
        buyer=buyer,
        lender=RegisteredOrganisationFactory(role=Role.LENDER),
        invoice=invoice,
        piece=PieceFactory(invoice=invoice),
    )


def new_invoice(world, status):
    return InvoiceFactory(seller=world.supplier, buyer=world.buyer, status=status)


def registration_args(world, invoice: Invoice) -> dict:
    return {
        "fingerprint": invoice.fingerprint,
        "seller": address(world.supplier),
        "buyer": address(world.buyer),
        "documentHash": invoice.document_hash,
        "amount": invoice.amount,
        "currency": invoice.currency,
        "issueDate": 1_767_225_600,
        "dueDate": 1_772_323_200,
    }


def approval_args(world, reserve_piece: int = 1, advance: int = 800_000_000) -> dict:
    return {
        "fingerprint": world.invoice.fingerprint,
        "piece": 0,
        "lender": address(world.lender),
        "holder": address(world.supplier),
        "advance": advance,
        "discount": 8_000_000,
        "tenorDays": 50,
        "rating": 7,
        "reservePiece": reserve_piece,
    }


def approval_of_a_request(world) -> dict:
    FinancingRequestFactory(piece=world.piece, lender=world.lender)
    return approval_args(world)


def mirrored_state() -> dict:
    """The mirrored rows, without the bookkeeping `updated_at`."""

    def rows(model):
        return [{k: v for k, v in row.items() if k != "updated_at"} for row in model.objects.order_by("pk").values()]

    models = (Organisation, Invoice, Piece, FinancingRequest, Programme, LifecyclePeriods)
    return {model.__name__: rows(model) for model in models}


def assert_replay_changes_nothing(event) -> None:
    """Applying the event changes the mirror; applying it again changes nothing more."""
    before = mirrored_state()
    event_apply(event)
    after_first = mirrored_state()
    assert after_first != before, "the case should exercise its handler"

    event_apply(event)

    assert mirrored_state() == after_first


def refused(purpose, subject):
    """An action the chain refused, settled as the sender settles it."""
    action = ChainActionFactory(purpose=purpose, subject=subject, status=ActionStatus.FAILED, error="refused")
    actions_settled([action])
    return action
