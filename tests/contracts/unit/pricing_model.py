"""Reference model of contracts/libraries/Pricing.sol: the maths of a financing offer.

Plain integer arithmetic, written from the specification rather than copied from the contract:
a started day counts as a whole day, and every amount rounds down.
"""

from dataclasses import dataclass

BPS = 10_000
DAYS_PER_YEAR = 365
BEST_RATING = 10
DAY = 86_400


def tenor_days(due_date, now):
    """Whole days from `now` to `due_date`, a started day counting as a full one (ceil)."""
    return -(-(due_date - now) // DAY)


def advance(face, advance_rate_bps):
    """The face value financed: face x rate, rounded down."""
    return face * advance_rate_bps // BPS


def yearly_rate_bps(base_rate_bps, rating_spread_bps, rating):
    """Base rate plus the spread for each notch below the best rating."""
    return base_rate_bps + rating_spread_bps * (BEST_RATING - rating)


def discount(advanced, rate_bps, days):
    """The price of `advanced` at `rate_bps` a year over `days` days, rounded down."""
    return advanced * rate_bps * days // (BPS * DAYS_PER_YEAR)


@dataclass(frozen=True)
class Quote:
    advance: int
    discount: int
    tenor_days: int

    @property
    def payout(self):
        """What the holder receives: the advance less its discount."""
        return self.advance - self.discount


def quote(face, terms, rating, due_date, now):
    """The offer for a piece of `face` micro-units under `terms` (a Terms tuple: limit,
    advanceRateBps, baseRateBps, maxTenorDays, ratingSpreadBps, minRating, maxRatingAgeDays)."""
    _limit, advance_rate_bps, base_rate_bps, _max_tenor, spread_bps, _min_rating, _max_rating_age = terms
    days = tenor_days(due_date, now)
    advanced = advance(face, advance_rate_bps)
    return Quote(
        advance=advanced,
        discount=discount(advanced, yearly_rate_bps(base_rate_bps, spread_bps, rating), days),
        tenor_days=days,
    )


def reserve_of(face, offer):
    """The part of the piece the holder keeps when the advance rate is below 100%."""
    return face - offer.advance
