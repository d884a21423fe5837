"""A holder's request that a lender finance one of its pieces. The request row is written with
the on-chain requestFinancing it queues; the contract decides at once and the mirror records the
decision (approved, rejected) or actions_failed the chain's refusal.

The request carries the holder's price bound: the payout the contract quoted it (financing.quotes)
and a deadline. Terms or a rating may change between the quote and the block that runs the request;
the chain then rejects it (PayoutBelowMinimum, QuoteExpired) and nothing moves."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose
from chain.services import action_enqueue
from invoices import validation
from invoices.models import Currency, InvoiceStatus, Piece
from invoices.pending import piece_pending
from organisations.models import Organisation, Role
from organisations.checks import party_named, require_current, require_member

from ..models import FinancingRequest, FinancingStatus
from ..quotes import Quote, QuotesUnavailable, piece_quote

MAX_PAYOUT = 2**64 - 1  # the contract takes minPayout as uint64 micro-units


def lender_to_ask(lender_id: object) -> Organisation:
    """The lender `lender_id` names, with current KYC and on-chain registration; else the refusal."""
    return party_named(
        lender_id, role=Role.LENDER, field="lender",
        unknown=_("Unknown lender: no lender with this id is on the platform."),
    )


def _min_payout(raw: object) -> int | None:
    if raw is None:
        return None
    return validation.whole_number(raw, "min_payout", 1, MAX_PAYOUT, _(
        "The minimum payout is the payout you were quoted, in micro-units: a whole number from 1 to %(highest)s."
    ) % {"highest": MAX_PAYOUT})


def _current_quote(piece: Piece, lender: Organisation, min_payout: int | None) -> Quote | None:
    """The contract's quote now; None when the chain cannot say but the holder brought its bound:
    the chain checks that bound itself when it runs the request, so nothing can move below it."""
    try:
        return piece_quote(piece=piece, lender=lender)
    except QuotesUnavailable as error:
        if min_payout is None:
            raise ValidationError({"lender": str(error)}) from error
        return None


def _accepted_payout(quote: Quote | None, min_payout: int | None, currency: int) -> int:
    """The payout the request is bound to: the one the holder saw, if the quote now pays at least
    that (or cannot be read); the current quote's when it saw none. Else the refusal, with what
    the quote is now."""
    if quote is None:
        return min_payout
    if not quote.approved:
        raise ValidationError({"lender": _("%(lender)s would reject this request now: %(reason)s") % {
            "lender": quote.lender.name, "reason": quote.reason_sentence,
        }})
    if min_payout is not None and quote.payout < min_payout:
        raise ValidationError({"min_payout": _(
            "The terms changed since your quote: %(lender)s would now pay %(payout)s %(currency)s, less than the "
            "%(quoted)s %(currency)s you were quoted. Nothing was requested; look at the new quote and ask again."
        ) % {
            "lender": quote.lender.name, "payout": validation.units_text(quote.payout),
            "quoted": validation.units_text(min_payout), "currency": Currency(currency).name,
        }})
    return quote.payout if min_payout is None else min_payout


def _check_not_pending(piece: Piece, lender: Organisation) -> None:
    """Refuses a request while another awaits its decision or a split or transfer of the piece is queued."""
    open_request = (
        FinancingRequest.objects.filter(piece=piece, status=FinancingStatus.REQUESTED).select_related("lender").first()
    )
    if open_request is not None and open_request.lender_id == lender.pk:
        raise ValidationError(
            {"lender": _("This piece already awaits a decision from %(lender)s.") % {"lender": lender.name}}
        )
    if open_request is not None:
        raise ValidationError({"piece": _(
            "This piece is already being financed: it awaits the decision of %(lender)s."
        ) % {"lender": open_request.lender.name}})
    if piece_pending(piece).moving:
        raise ValidationError(
            {"piece": _("This piece is being split or transferred: ask for financing once the chain has done it.")}
        )


@transaction.atomic
def financing_request(*, piece: Piece, requested_by, lender_id: object, min_payout: object) -> FinancingRequest:
    """Records the request and queues requestFinancing, signed by the holder's account, bound to
    `min_payout`, the payout (micro-units) the contract quoted the holder, and to a deadline
    FINANCING_QUOTE_VALIDITY_SECONDS from now. The contract is asked again first: if it now pays
    less than `min_payout`, or the lender would reject the request, nothing is queued. With no
    `min_payout` (None) the request is bound to the contract's quote now.

    A piece has one open request at most: another (a replay, a second tab, another lender) is
    refused while the first awaits its decision, and possible once it was rejected or refused by
    the chain. A piece being split or transferred is not financed either: the quote is for the
    piece as it is now.
    """
    bound = _min_payout(min_payout)
    # The lock on the piece serialises concurrent requests, so both cannot pass the check below.
    piece = (
        Piece.objects.select_for_update(of=("self",))
        .select_related("invoice__buyer", "invoice__seller", "holder")
        .get(pk=piece.pk)
    )
    require_member(requested_by, piece.holder, Role.SUPPLIER, _("request financing of its pieces"))
    require_current(piece.holder)
    if piece.invoice.status != InvoiceStatus.CONFIRMED:
        raise ValidationError(
            {
                "status": _("Only pieces of a confirmed invoice can be financed; this one is %(status)s.")
                % {"status": piece.invoice.get_status_display()}
            }
        )
    if piece.financed:
        raise ValidationError({"piece": _("This piece is already financed.")})
    lender = lender_to_ask(lender_id)
    _check_not_pending(piece, lender)
    now = timezone.now()
    payout = _accepted_payout(_current_quote(piece, lender, bound), bound, piece.invoice.currency)
    deadline = now.replace(microsecond=0) + timedelta(seconds=settings.FINANCING_QUOTE_VALIDITY_SECONDS)
    request = FinancingRequest.objects.create(
        piece=piece, holder=piece.holder, lender=lender, quoted_payout=payout, deadline=deadline
    )
    action_enqueue(
        purpose=ActionPurpose.FINANCING_REQUEST,
        subject=request,
        signer=accounts.organisation_account(piece.holder),
        function="requestFinancing",
        args=[
            piece.invoice.fingerprint, piece.index, accounts.organisation_account(lender).address, payout,
            int(deadline.timestamp()),
        ],
    )
    return request
