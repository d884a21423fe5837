"""The supplier risk model: a supplier's platform history in, a rating from 1 (worst) to 10 (best)
out. Pure and deterministic, so a posted rating can be recomputed from the inputs stored with it.

Model version 1 (settings.RISK_MODEL_VERSION), in notches on the contract's 1..10 scale:

1. A supplier without history starts at the neutral rating, 5.
2. Its track record moves it. Every invoice with a known outcome counts: a repayment on time is
   good; a late repayment, a dispute, an overdue obligation and a default are blemishes, weighted
   by severity (1, 2, 2 and 4). The record term is

       (5 x on_time - 4 x blemishes) / (on_time + blemishes + 5)

   which lies between -4 and +5. The 5 in the denominator is the benefit of the doubt: a new
   supplier moves slowly either way, and only a long record earns the top of the scale (a
   spotless record needs 12 repayments for a 9 and 45 for a 10). Because blemishes are a share
   of the record, one late payment weighs little for a supplier with hundreds of clean ones.
3. Obligations that are overdue now, or defaulted (recourse to the supplier was recorded), also
   cost a flat 1 and 2 notches each, however long the record: they are money owed now.
4. Concentration: a book that depends on one buyer is fragile. Above a 50% share of the
   supplier's invoice volume, the largest buyer costs up to 1 notch (at 100%), linearly.
5. The sum is rounded half up and held within 1..10.

Every term is monotonic: more on-time repayments never lower the rating; more late repayments,
disputes, overdue obligations or defaults, and a higher concentration, never raise it; and an
overdue obligation that defaults never raises it either.
"""

import math
from dataclasses import dataclass

WORST_RATING = 1
BEST_RATING = 10
NEUTRAL_RATING = 5

CREDIBILITY = 5  # pseudo-invoices of benefit of the doubt in the record's denominator
RECORD_REWARD = 5.0
RECORD_PENALTY = 4.0
LATE_WEIGHT = 1
DISPUTE_WEIGHT = 2
OVERDUE_WEIGHT = 2
DEFAULT_WEIGHT = 4
OVERDUE_NOTCHES = 1.0
DEFAULT_NOTCHES = 2.0
CONCENTRATION_THRESHOLD = 0.5
CONCENTRATION_NOTCHES = 1.0


@dataclass(frozen=True)
class SupplierHistory:
    """What the model knows about a supplier: counts of its invoices by outcome, and how its
    invoice volume spreads over its buyers.

    `invoices_total` counts every invoice on chain; those not in any outcome count are still
    outstanding. `volume` is the invoice volume in micro-units, summed over currencies, and
    `largest_buyer_share` the share of it owed by the largest buyer (0 without volume).
    """

    invoices_total: int = 0
    repaid_on_time: int = 0
    repaid_late: int = 0
    overdue: int = 0
    defaulted: int = 0
    disputed: int = 0
    volume: int = 0
    largest_buyer_share: float = 0.0

    def __post_init__(self):
        counts = ("invoices_total", "repaid_on_time", "repaid_late", "overdue", "defaulted", "disputed", "volume")
        for name in counts:
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, got {getattr(self, name)!r}.")
        if self.outcomes > self.invoices_total:
            raise ValueError(
                f"invoices_total ({self.invoices_total}) must be at least the invoices with an outcome "
                f"({self.outcomes})."
            )
        if not 0.0 <= self.largest_buyer_share <= 1.0:
            raise ValueError(f"largest_buyer_share must lie between 0 and 1, got {self.largest_buyer_share!r}.")

    @property
    def outcomes(self) -> int:
        return self.repaid_on_time + self.repaid_late + self.overdue + self.defaulted + self.disputed


def supplier_rating(history: SupplierHistory) -> int:
    """The supplier's rating, 1 (worst) .. 10 (best): see the module's docstring for the model."""
    blemishes = (
        LATE_WEIGHT * history.repaid_late
        + DISPUTE_WEIGHT * history.disputed
        + OVERDUE_WEIGHT * history.overdue
        + DEFAULT_WEIGHT * history.defaulted
    )
    record = (RECORD_REWARD * history.repaid_on_time - RECORD_PENALTY * blemishes) / (
        history.repaid_on_time + blemishes + CREDIBILITY
    )
    owed_now = OVERDUE_NOTCHES * history.overdue + DEFAULT_NOTCHES * history.defaulted
    excess_share = max(0.0, history.largest_buyer_share - CONCENTRATION_THRESHOLD) / (1 - CONCENTRATION_THRESHOLD)
    score = NEUTRAL_RATING + record - owed_now - CONCENTRATION_NOTCHES * excess_share
    return min(BEST_RATING, max(WORST_RATING, math.floor(score + 0.5)))
