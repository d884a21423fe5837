"""The on-chain actions behind the supplier's and the core firm's pages, found by what they are
for (their purpose and the invoice, piece or request they act on), each with a name in words and
a stable slug for the page."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chain.models import SETTLED, ActionPurpose, ChainAction
from chain.selectors import about
from financing.models import FinancingRequest
from invoices.models import Invoice, Piece

# The contract function an action calls -> (slug for data-testid, what it does in words).
KINDS = {
    "registerInvoice": ("register", _("Registration on chain")),
    "confirmInvoice": ("confirm", _("Confirmation")),
    "disputeInvoice": ("dispute", _("Dispute")),
    "repay": ("repay", _("Repayment")),
    "splitPiece": ("split", _("Split")),
    "transferPiece": ("transfer", _("Transfer")),
    "requestFinancing": ("finance", _("Financing request")),
    "claim": ("claim", _("Collection of a repayment")),
    "approve": ("allowance", _("Payment allowance")),
}


@dataclass(frozen=True)
class TrackedAction:
    action: ChainAction

    @property
    def slug(self) -> str:
        return KINDS.get(self.action.function, ("action", ""))[0]

    @property
    def label(self) -> str:
        return str(KINDS.get(self.action.function, ("", self.action.function))[1])

    @property
    def in_flight(self) -> bool:
        return self.action.status not in SETTLED


def tracked(actions) -> list[TrackedAction]:
    return [TrackedAction(action) for action in actions]


def _actions() -> QuerySet[ChainAction]:
    return ChainAction.objects.select_related("transaction").order_by("created_at", "pk")


def actions_signed_by(organisation) -> QuerySet[ChainAction]:
    """Actions signed by the organisation's own account: the only ones its pages may show."""
    return _actions().filter(signer__organisation=organisation)


def registration_action(invoice) -> ChainAction | None:
    return _actions().filter(about(Invoice, [invoice.pk], ActionPurpose.INVOICE_REGISTER)).first()


def buyer_actions(invoice) -> QuerySet[ChainAction]:
    """The buyer's confirmation or dispute of the invoice, and its repayments."""
    return _actions().filter(
        about(Invoice, [invoice.pk], ActionPurpose.INVOICE_CONFIRM, ActionPurpose.INVOICE_DISPUTE, ActionPurpose.REPAY)
    )


def piece_actions(piece, financing_request_ids) -> QuerySet[ChainAction]:
    """Splits and transfers of the piece, and the actions of its financing requests."""
    return _actions().filter(
        about(Piece, [piece.pk], ActionPurpose.PIECE_SPLIT, ActionPurpose.PIECE_TRANSFER)
        | about(FinancingRequest, financing_request_ids, ActionPurpose.FINANCING_REQUEST)
    )


def financing_actions(request_ids) -> dict[int, ChainAction]:
    """The requestFinancing action of each request, by request id, in one query."""
    actions = _actions().filter(about(FinancingRequest, request_ids, ActionPurpose.FINANCING_REQUEST))
    return {action.subject_id: action for action in actions}
