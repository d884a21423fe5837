"""Recent activity in words: what an organisation's own on-chain actions did, e.g. "Confirmed
invoice INV-1042 from Acme Parts, 250,000.00 USDC" or "Split 40,000.00 USDC of INV-1042 to Tier Two
Ltd", built from each action's purpose, subject and arguments. The subjects are loaded in one
query per kind of subject, and the counterparties an action names by address in one more, however
many rows are shown."""

from dataclasses import dataclass

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.utils.translation import gettext as _

from chain.models import ActionPurpose, ChainAccount, ChainAction
from financing.models import FinancingRequest
from invoices.models import Currency, Invoice, Piece
from organisations.models import Organisation
from organisations.selectors import names_only

from .currencies import amount_text, currency_code
from .tracking import KINDS, actions_signed_by

# The sentences name organisations: their names are all they need of them.
SUBJECTS = [
    names_only(Invoice.objects.select_related("seller", "buyer"), "seller", "buyer"),
    names_only(Piece.objects.select_related("invoice__seller", "invoice__buyer"), "invoice__seller", "invoice__buyer"),
    names_only(FinancingRequest.objects.select_related("lender", "piece__invoice"), "lender"),
    Organisation.objects.all(),
    ChainAccount.objects.all(),
]
# The purposes whose arguments name a counterparty's account by address: its position in the arguments.
ADDRESS_ARGUMENT = {
    ActionPurpose.PIECE_SPLIT: 2,
    ActionPurpose.PIECE_TRANSFER: 2,
    ActionPurpose.PROGRAMME_TERMS: 0,
    ActionPurpose.PROGRAMME_FUND: 0,
    ActionPurpose.PROGRAMME_DEFUND: 0,
}


@dataclass(frozen=True)
class Activity:
    """One action of the organisation, said in words, with its status, time and transaction."""

    action: ChainAction
    sentence: str

    @property
    def tx_hash(self) -> str:
        transaction = self.action.transaction
        return transaction.tx_hash if transaction else ""


def recent_activity(organisation, limit: int) -> list[Activity]:
    """The organisation's `limit` latest actions, newest first, each with its sentence."""
    actions = list(
        actions_signed_by(organisation)
        .prefetch_related(GenericPrefetch("subject", SUBJECTS))
        .order_by("-created_at", "-pk")[:limit]
    )
    names = _names_by_address(actions)
    return [Activity(action, _sentence(action, names)) for action in actions]


def _argument(action: ChainAction, position: int):
    return action.args[position] if isinstance(action.args, list) and len(action.args) > position else None


def _names_by_address(actions: list[ChainAction]) -> dict[str, str]:
    """The organisations behind the addresses the actions name: the services write an account's
    address into the arguments exactly as the account stores it."""
    addresses = {
        address for action in actions if action.purpose in ADDRESS_ARGUMENT
        and (address := _argument(action, ADDRESS_ARGUMENT[action.purpose])) is not None
    }
    if not addresses:
        return {}
    accounts = ChainAccount.objects.filter(address__in=addresses, organisation__isnull=False)
    return dict(accounts.values_list("address", "organisation__name"))


def _name(names: dict[str, str], address) -> str:
    return names.get(address, _("another account"))


def _invoice_facts(invoice: Invoice) -> dict:
    return {
        "number": invoice.number, "seller": invoice.seller.name, "buyer": invoice.buyer.name,
        "amount": amount_text(invoice.amount, invoice.currency),
    }


def _micro_argument(action: ChainAction, position: int, currency: int) -> str | None:
    value = _argument(action, position)
    return amount_text(int(value), currency) if isinstance(value, int) else None


def _sentence(action: ChainAction, names: dict[str, str]) -> str:
    subject = action.subject
    purpose = action.purpose
    if isinstance(subject, Invoice):
        return _invoice_sentence(action, subject)
    if isinstance(subject, Piece):
        return _piece_sentence(action, subject, names)
    if isinstance(subject, FinancingRequest):
        return _financing_sentence(action, subject)
    if purpose in (ActionPurpose.PROGRAMME_TERMS, ActionPurpose.PROGRAMME_FUND, ActionPurpose.PROGRAMME_DEFUND):
        return _programme_sentence(action, names)
    if purpose == ActionPurpose.TOKEN_APPROVE and action.sequence in Currency.values:
        return _("Allowed the platform to collect payments in %(currency)s from your account") % {
            "currency": currency_code(action.sequence),
        }
    return str(KINDS.get(action.function, ("", action.function))[1])


def _financing_sentence(action: ChainAction, request: FinancingRequest) -> str:
    invoice = request.piece.invoice
    facts = {"lender": request.lender.name, "index": request.piece.index, "number": invoice.number}
    payout = _micro_argument(action, 3, invoice.currency)
    if payout is None and request.quoted_payout is not None:
        payout = amount_text(request.quoted_payout, invoice.currency)
    if payout is None:
        return _("Asked %(lender)s to finance piece %(index)s of invoice %(number)s") % facts
    return _("Asked %(lender)s to finance piece %(index)s of invoice %(number)s, for at least %(payout)s") % {
        **facts, "payout": payout,
    }


def _invoice_sentence(action: ChainAction, invoice: Invoice) -> str:
    facts = _invoice_facts(invoice)
    if action.purpose == ActionPurpose.INVOICE_REGISTER:
        return _("Registered invoice %(number)s to %(buyer)s, %(amount)s") % facts
    if action.purpose == ActionPurpose.INVOICE_CONFIRM:
        return _("Confirmed invoice %(number)s from %(seller)s, %(amount)s") % facts
    if action.purpose == ActionPurpose.INVOICE_DISPUTE:
        return _("Disputed invoice %(number)s from %(seller)s, %(amount)s") % facts
    if action.purpose == ActionPurpose.REPAY:
        paid = _micro_argument(action, 1, invoice.currency)
        if paid is None:
            return _("Repayment on invoice %(number)s to %(seller)s") % facts
        return _("Repaid %(paid)s on invoice %(number)s to %(seller)s") % {**facts, "paid": paid}
    return _("%(action)s of invoice %(number)s") % {
        "action": KINDS.get(action.function, ("", action.function))[1], **facts,
    }


def _piece_sentence(action: ChainAction, piece: Piece, names: dict[str, str]) -> str:
    invoice = piece.invoice
    facts = {**_invoice_facts(invoice), "index": piece.index, "piece_amount": amount_text(piece.amount, invoice.currency)}
    if action.purpose == ActionPurpose.PIECE_SPLIT:
        return _("Split %(amount)s of invoice %(number)s to %(recipient)s") % {
            **facts, "amount": _micro_argument(action, 3, invoice.currency) or _("part"),
            "recipient": _name(names, _argument(action, 2)),
        }
    if action.purpose == ActionPurpose.PIECE_TRANSFER:
        return _("Transferred piece %(index)s of invoice %(number)s, %(piece_amount)s, to %(recipient)s") % {
            **facts, "recipient": _name(names, _argument(action, 2)),
        }
    if action.purpose == ActionPurpose.PIECE_CLAIM:
        return _("Collected the repayment of piece %(index)s of invoice %(number)s from %(buyer)s") % facts
    if action.purpose == ActionPurpose.PIECE_WRITE_OFF:
        return _("Wrote off piece %(index)s of invoice %(number)s, %(piece_amount)s") % facts
    return _("%(action)s of piece %(index)s of invoice %(number)s") % {
        "action": KINDS.get(action.function, ("", action.function))[1], **facts,
    }


def _programme_sentence(action: ChainAction, names: dict[str, str]) -> str:
    core_firm = _name(names, _argument(action, 0))
    currency = _argument(action, 1)
    currency = currency if isinstance(currency, int) else None
    if action.purpose == ActionPurpose.PROGRAMME_TERMS:
        terms = _argument(action, 2)
        limit = terms[0] if isinstance(terms, list) and terms and isinstance(terms[0], int) else None
        if limit is None or currency is None:
            return _("New terms for the programme with %(core_firm)s") % {"core_firm": core_firm}
        return _("New terms for the programme with %(core_firm)s, limit %(limit)s") % {
            "core_firm": core_firm, "limit": amount_text(limit, currency),
        }
    amount = _micro_argument(action, 2, currency) if currency is not None else None
    facts = {"core_firm": core_firm, "amount": amount or _("an amount")}
    if action.purpose == ActionPurpose.PROGRAMME_FUND:
        return _("Deposited %(amount)s into the programme with %(core_firm)s") % facts
    return _("Withdrew %(amount)s from the programme with %(core_firm)s") % facts
