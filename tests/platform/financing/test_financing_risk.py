"""The pure risk model: its anchors, its bounds and its monotonicity."""

from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from financing.risk import BEST_RATING, NEUTRAL_RATING, WORST_RATING, SupplierHistory, supplier_rating


OUTCOMES = ("repaid_on_time", "repaid_late", "overdue", "defaulted", "disputed")


def history(**counts) -> SupplierHistory:
    """A consistent history: every outcome is an invoice, plus any outstanding ones."""
    outstanding = counts.pop("outstanding", 0)
    outcomes = sum(counts.get(name, 0) for name in OUTCOMES)
    return SupplierHistory(invoices_total=outcomes + outstanding, **counts)


def test_new_supplier_is_neutral():
    assert supplier_rating(SupplierHistory()) == NEUTRAL_RATING


def test_outstanding_invoices_spread_over_buyers_stay_neutral():
    assert supplier_rating(history(outstanding=3, largest_buyer_share=0.5)) == NEUTRAL_RATING


def test_single_buyer_costs_one_notch():
    assert supplier_rating(history(outstanding=1, largest_buyer_share=1.0)) == NEUTRAL_RATING - 1


def test_long_clean_record_reaches_the_best_rating():
    assert supplier_rating(history(repaid_on_time=44)) == BEST_RATING - 1
    assert supplier_rating(history(repaid_on_time=45)) == BEST_RATING


def test_twelve_clean_repayments_earn_a_nine():
    assert supplier_rating(history(repaid_on_time=11)) == 8
    assert supplier_rating(history(repaid_on_time=12)) == 9


def test_single_buyer_caps_a_clean_record_at_nine():
    assert supplier_rating(history(repaid_on_time=1000, largest_buyer_share=1.0)) == 9


def test_one_default_alone_is_the_worst_rating():
    assert supplier_rating(history(defaulted=1)) == WORST_RATING


def test_one_default_weighs_less_in_a_long_record():
    assert supplier_rating(history(repaid_on_time=100, defaulted=1)) == 7


def test_first_blemishes_cost_a_notch():
    assert supplier_rating(history(repaid_late=1)) == 4
    assert supplier_rating(history(disputed=1)) == 4
    assert supplier_rating(history(overdue=1)) == 3


def test_many_defaults_stay_at_the_floor():
    assert supplier_rating(history(defaulted=50, largest_buyer_share=1.0)) == WORST_RATING


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"repaid_late": -1, "invoices_total": 0}, "repaid_late"),
        ({"repaid_on_time": 2, "invoices_total": 1}, "invoices_total"),
        ({"largest_buyer_share": 1.5}, "largest_buyer_share"),
        ({"volume": 1.5}, "volume"),
    ],
)
def test_inconsistent_history_is_refused_naming_the_field(fields, message):
    with pytest.raises(ValueError, match=message):
        SupplierHistory(**fields)


counts = st.integers(min_value=0, max_value=200)
shares = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def histories(draw) -> SupplierHistory:
    return history(
        repaid_on_time=draw(counts),
        repaid_late=draw(counts),
        overdue=draw(st.integers(0, 10)),
        defaulted=draw(st.integers(0, 10)),
        disputed=draw(counts),
        outstanding=draw(counts),
        largest_buyer_share=draw(shares),
    )


def _one_more(base: SupplierHistory, outcome: str, outstanding: bool) -> SupplierHistory:
    """`base` with one more invoice ending in `outcome`: a new one, or one that was outstanding."""
    if outstanding and base.invoices_total == base.outcomes:
        base = replace(base, invoices_total=base.invoices_total + 1)
    total = base.invoices_total if outstanding else base.invoices_total + 1
    return replace(base, invoices_total=total, **{outcome: getattr(base, outcome) + 1})


@given(histories())
def test_rating_stays_within_the_scale(base):
    assert WORST_RATING <= supplier_rating(base) <= BEST_RATING


@given(histories(), st.booleans())
def test_an_on_time_repayment_never_lowers_the_rating(base, outstanding):
    assert supplier_rating(_one_more(base, "repaid_on_time", outstanding)) >= supplier_rating(base)


@given(histories(), st.sampled_from(["repaid_late", "overdue", "defaulted", "disputed"]), st.booleans())
def test_a_blemish_never_raises_the_rating(base, outcome, outstanding):
    assert supplier_rating(_one_more(base, outcome, outstanding)) <= supplier_rating(base)


@given(histories())
def test_an_overdue_obligation_defaulting_never_raises_the_rating(base):
    base = _one_more(base, "overdue", outstanding=False)
    defaulted = replace(base, overdue=base.overdue - 1, defaulted=base.defaulted + 1)
    assert supplier_rating(defaulted) <= supplier_rating(base)


@given(histories())
def test_a_late_repayment_never_beats_the_same_one_on_time(base):
    base = _one_more(base, "repaid_on_time", outstanding=False)
    late = replace(base, repaid_on_time=base.repaid_on_time - 1, repaid_late=base.repaid_late + 1)
    assert supplier_rating(late) <= supplier_rating(base)


@given(histories(), shares)
def test_more_concentration_never_raises_the_rating(base, share):
    higher = replace(base, largest_buyer_share=max(share, base.largest_buyer_share))
    assert supplier_rating(higher) <= supplier_rating(base)
