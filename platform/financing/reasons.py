"""Why the credit decision rejected a financing request, in plain words. The codes are the
contract's RejectReason names as the mirror stores them (FinancingRequest.reject_reason); the
sentences are written for anyone reading the decision, the holder or the lender."""

from django.utils.translation import gettext_lazy as _

# The contract's RejectReason enum, in order.
REJECT_REASONS = (
    "none", "no_programme", "over_limit", "tenor_too_long", "holder_kyc_expired", "lender_kyc_expired",
    "rating_too_low", "not_confirmed", "disputed", "overdue", "already_financed", "settled",
    "insufficient_liquidity", "advance_too_small", "obligor_kyc_expired", "holder_not_supplier", "lender_not_lender",
    "rating_stale", "quote_expired", "payout_below_minimum",
)

REJECT_REASON_SENTENCES = {
    "no_programme": _("The lender has no open programme for this buyer and currency."),
    "over_limit": _("The lender's limit for this buyer is used up."),
    "tenor_too_long": _("The invoice is due later than the lender's programme allows."),
    "holder_kyc_expired": _("The holder's KYC approval had expired."),
    "lender_kyc_expired": _("The lender's KYC approval had expired."),
    "rating_too_low": _("The supplier's rating is below the minimum the lender accepts."),
    "not_confirmed": _("The buyer had not yet confirmed the invoice."),
    "disputed": _("The buyer disputes the invoice."),
    "overdue": _("The invoice is overdue or already due."),
    "already_financed": _("This piece is already financed."),
    "settled": _("The invoice is already being repaid, or the piece is settled."),
    "insufficient_liquidity": _("The lender's programme has too little money left to pay the advance."),
    "advance_too_small": _("The piece is too small: its advance would be zero."),
    "obligor_kyc_expired": _("The buyer, whose promise to pay is financed, had no current KYC approval."),
    "holder_not_supplier": _("Only a supplier can have its pieces financed."),
    "lender_not_lender": _("The organisation asked is not a lender on the chain."),
    "rating_stale": _("The supplier's rating is older than the lender's programme accepts."),
    "quote_expired": _("The quote had expired when the chain ran the request: ask again for a new quote."),
    "payout_below_minimum": _("The terms changed before the chain ran the request: the payout would have been "
                              "below the quote you accepted, so nothing moved."),
}


def reject_reason_sentence(code: str) -> str:
    """The sentence for a reject reason code; an unknown code is named as it is."""
    if code in REJECT_REASON_SENTENCES:
        return str(REJECT_REASON_SENTENCES[code])
    return str(_("The credit decision rejected the request (reason: %(code)s).") % {"code": code or "?"})
