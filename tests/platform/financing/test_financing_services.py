"""Financing's scheduled writes at the database level: the ratings and the outbox actions they
queue, the maturity sweep's thresholds, and that replays queue nothing twice. The chain's views
(paused, claimable, its clock) are stubbed here; tests/platform/integration/test_scheduled_jobs.py
runs the same services against a real chain."""

import json
from dataclasses import asdict
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from chain_events import apply_event
from financing import selectors, services
from financing.models import Programme, RatingRecord
from financing.risk import supplier_rating
from invoices.models import Currency, InvoiceStatus

from financing_factories import (
    CoreFirmFactory,
    InvoiceFactory,
    LenderFactory,
    PieceFactory,
    SupplierFactory,
    operator,
    risk_oracle,
)

pytestmark = pytest.mark.django_db

GRACE = 5 * 86_400
DEFAULT = 30 * 86_400
DUE = date(2025, 3, 10)
DUE_AT = int(datetime.combine(DUE, time(0), dt_timezone.utc).timestamp())  # as registered on chain


def _actions(function: str) -> list[ChainAction]:
    return list(ChainAction.objects.filter(function=function).order_by("pk"))


# Ratings


@pytest.fixture
def oracle():
    return risk_oracle()


def test_rating_is_recorded_with_its_inputs_and_posted_by_the_oracle(oracle):
    supplier = SupplierFactory()
    buyer = CoreFirmFactory()
    InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REPAID, repaid=1, repaid_at=timezone.now())
    InvoiceFactory(seller=supplier, buyer=buyer)

    [record] = services.ratings_post()

    history = selectors.supplier_history(supplier, now=timezone.now())
    assert (record.supplier, record.rating, record.model_version) == (supplier, supplier_rating(history), 1)
    assert record.inputs == json.loads(json.dumps(asdict(history)))
    [action] = _actions("postRating")
    assert action.signer == oracle
    assert action.args == [supplier.chain_account.address, record.rating, 1]
    assert (action.purpose, action.subject, action.request_key) == (
        ActionPurpose.RATING_POST, supplier, f"1:{timezone.now().date().isoformat()}"
    )


@pytest.mark.django_db(transaction=True)
def test_ratings_run_outside_any_transaction_lock_each_supplier_in_its_own(oracle):
    """The scheduled task calls ratings_post with autocommit on: each supplier's lock (SELECT ...
    FOR UPDATE, which PostgreSQL refuses outside a transaction) needs its own atomic block."""
    SupplierFactory()
    assert len(services.ratings_post()) == 1


def test_only_approved_registered_suppliers_are_rated(oracle):
    rated = SupplierFactory()
    SupplierFactory(onchain_id=None)
    SupplierFactory(kyc_status="pending")
    CoreFirmFactory()

    assert [record.supplier for record in services.ratings_post()] == [rated]
    assert len(_actions("postRating")) == 1


def test_replayed_run_the_same_day_records_and_sends_nothing(oracle):
    SupplierFactory()
    SupplierFactory()

    first = services.ratings_post()
    replay = services.ratings_post()

    assert (len(first), replay) == (2, [])
    assert RatingRecord.objects.count() == 2
    assert len(_actions("postRating")) == 2


def test_unchanged_rating_and_model_version_are_not_posted_again(oracle):
    SupplierFactory(rating=5, rating_model_version=1)

    assert services.ratings_post() == []
    assert not ChainAction.objects.exists()


@pytest.fixture
def programme_accepting_ratings_of(oracle):
    """An open programme that accepts ratings posted up to `days` ago."""

    def programme(days: int) -> Programme:
        return Programme.objects.create(lender=LenderFactory(), core_firm=CoreFirmFactory(), currency=Currency.USDC,
                                        limit=10**12, max_rating_age_days=days)

    return programme


def test_an_unchanged_rating_is_posted_again_a_day_before_a_programme_finds_it_stale(programme_accepting_ratings_of):
    programme_accepting_ratings_of(30)
    programme_accepting_ratings_of(365)
    ageing = SupplierFactory(rating=5, rating_model_version=1, rated_at=timezone.now() - timedelta(days=29))
    SupplierFactory(rating=5, rating_model_version=1, rated_at=timezone.now() - timedelta(days=28, hours=23))

    [record] = services.ratings_post()

    assert (record.supplier, record.rating) == (ageing, 5)
    assert [action.args for action in _actions("postRating")] == [[ageing.chain_account.address, 5, 1]]


def test_a_rating_whose_time_is_unknown_is_posted_again(programme_accepting_ratings_of):
    programme_accepting_ratings_of(365)
    SupplierFactory(rating=5, rating_model_version=1, rated_at=None)

    assert len(services.ratings_post()) == 1


def test_closed_programmes_ask_for_no_fresher_ratings(programme_accepting_ratings_of):
    Programme.objects.filter(pk=programme_accepting_ratings_of(2).pk).update(limit=0)
    SupplierFactory(rating=5, rating_model_version=1, rated_at=timezone.now() - timedelta(days=400))

    assert services.ratings_post() == []


def test_a_new_model_version_posts_the_same_rating_again(oracle):
    supplier = SupplierFactory(rating=5, rating_model_version=1)

    [record] = services.ratings_post(model_version=2)

    assert (record.rating, record.model_version) == (5, 2)
    assert [action.args for action in _actions("postRating")] == [[supplier.chain_account.address, 5, 2]]


def test_changed_rating_is_posted(oracle):
    supplier = SupplierFactory(rating=9, rating_model_version=1)
    InvoiceFactory(seller=supplier, status=InvoiceStatus.DEFAULTED)

    [record] = services.ratings_post()

    assert record.rating == 1
    assert _actions("postRating")[0].args[1] == 1


@pytest.mark.parametrize("model_version", [0, -1, 2**32, "1"])
def test_invalid_model_version_is_refused(oracle, model_version):
    SupplierFactory()

    with pytest.raises(ValidationError, match="model_version"):
        services.ratings_post(model_version=model_version)
    assert not RatingRecord.objects.exists()


def test_rating_without_a_risk_oracle_account_says_so():
    SupplierFactory()

    with pytest.raises(ImproperlyConfigured, match="risk-oracle"):
        services.ratings_post()
    assert not RatingRecord.objects.exists()


# The maturity sweep


class ChainView:
    """The sweep's chain reads, stubbed: not paused, and what each piece may claim."""

    def __init__(self):
        self.paused = False
        self.claimable: dict[int, int] = {}
        self.asked: list[int] = []

    def piece_claimable(self, piece) -> int:
        self.asked.append(piece.pk)
        return self.claimable.get(piece.pk, 0)


@pytest.fixture
def chain(monkeypatch, settings, tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"periods": {"grace_seconds": GRACE, "default_seconds": DEFAULT}}))
    settings.DEPLOYMENT_MANIFEST = manifest
    view = ChainView()
    monkeypatch.setattr(selectors, "platform_paused", lambda: view.paused)
    monkeypatch.setattr(selectors, "piece_claimable", view.piece_claimable)
    monkeypatch.setattr(selectors, "chain_now", lambda: pytest.fail("the sweep read the chain's clock"))
    return view


@pytest.fixture
def operator_account():
    return operator()


def test_confirmed_obligation_is_marked_overdue_when_its_grace_period_ends(chain, operator_account):
    invoice = InvoiceFactory(due_date=DUE)

    before = services.maturity_sweep(now=DUE_AT + GRACE - 1)
    assert before["overdue"] == 0
    assert not ChainAction.objects.exists()

    assert services.maturity_sweep(now=DUE_AT + GRACE)["overdue"] == 1
    [action] = _actions("markOverdue")
    assert (action.signer, action.args) == (operator_account, [invoice.fingerprint])
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.MARK_OVERDUE, invoice, 0)


def test_only_confirmed_obligations_are_marked_overdue(chain, operator_account):
    for status in (InvoiceStatus.REGISTERED, InvoiceStatus.DISPUTED, InvoiceStatus.REPAID, InvoiceStatus.DEFAULTED):
        InvoiceFactory(due_date=DUE, status=status)

    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT)["overdue"] == 0
    assert not _actions("markOverdue")


def test_overdue_obligation_is_marked_defaulted_when_its_default_period_ends(chain, operator_account):
    invoice = InvoiceFactory(due_date=DUE, status=InvoiceStatus.OVERDUE)

    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT - 1)["defaulted"] == 0
    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT)["defaulted"] == 1
    [action] = _actions("markDefaulted")
    assert (action.signer, action.args) == (operator_account, [invoice.fingerprint])
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.MARK_DEFAULTED, invoice, 0)
    assert not _actions("markOverdue")


# Each obligation by its own periods: those in force when it was confirmed (the mirror stamps them).
SHORT_GRACE, SHORT_DEFAULT = 2 * 86_400, 10 * 86_400


def _with_periods(grace, default, **fields):
    return InvoiceFactory(**({"due_date": DUE} | fields), grace_period_seconds=grace, default_period_seconds=default,
                          periods_version=2)


def test_an_obligation_goes_overdue_when_its_own_grace_period_ends(chain, operator_account):
    own = _with_periods(SHORT_GRACE, SHORT_DEFAULT)
    InvoiceFactory(due_date=DUE)  # confirmed before periods were kept: the manifest's 5 days

    assert services.maturity_sweep(now=DUE_AT + SHORT_GRACE - 1)["overdue"] == 0
    assert services.maturity_sweep(now=DUE_AT + SHORT_GRACE)["overdue"] == 1
    [action] = _actions("markOverdue")
    assert action.args == [own.fingerprint]


def test_an_obligation_with_longer_periods_than_the_manifests_waits_for_them(chain, operator_account):
    _with_periods(GRACE + 86_400, DEFAULT)

    assert services.maturity_sweep(now=DUE_AT + GRACE)["overdue"] == 0
    assert services.maturity_sweep(now=DUE_AT + GRACE + 86_400)["overdue"] == 1


def test_an_obligation_defaults_when_its_own_default_period_ends(chain, operator_account):
    own = _with_periods(SHORT_GRACE, SHORT_DEFAULT, status=InvoiceStatus.OVERDUE)
    InvoiceFactory(due_date=DUE, status=InvoiceStatus.OVERDUE)

    assert services.maturity_sweep(now=DUE_AT + SHORT_GRACE + SHORT_DEFAULT - 1)["defaulted"] == 0
    assert services.maturity_sweep(now=DUE_AT + SHORT_GRACE + SHORT_DEFAULT)["defaulted"] == 1
    [action] = _actions("markDefaulted")
    assert action.args == [own.fingerprint]
    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT)["defaulted"] == 1  # the manifest's, later


def test_obligations_without_their_own_periods_go_by_the_manifest(chain, operator_account):
    InvoiceFactory(due_date=DUE)

    assert services.maturity_sweep(now=DUE_AT + GRACE - 1)["overdue"] == 0
    assert services.maturity_sweep(now=DUE_AT + GRACE)["overdue"] == 1


def test_the_sweeps_queries_do_not_grow_with_obligations_or_their_periods(
    chain, operator_account, django_assert_max_num_queries
):
    def add(count):
        for number in range(count):
            _with_periods(GRACE + 86_400 * (number % 3), DEFAULT, due_date=DUE.replace(year=2030))
            _with_periods(GRACE, DEFAULT + 86_400 * (number % 3), status=InvoiceStatus.OVERDUE,
                          due_date=DUE.replace(year=2030))

    add(3)
    with CaptureQueriesContext(connection) as few:
        services.maturity_sweep(now=DUE_AT)
    add(12)

    with django_assert_max_num_queries(len(few)):
        assert services.maturity_sweep(now=DUE_AT) == {"paused": False, "overdue": 0, "defaulted": 0, "claims": 0}


def test_replayed_sweep_queues_nothing_twice(chain, operator_account):
    InvoiceFactory(due_date=DUE)
    InvoiceFactory(due_date=DUE, status=InvoiceStatus.OVERDUE)
    now = DUE_AT + GRACE + DEFAULT

    first = services.maturity_sweep(now=now)
    replay = services.maturity_sweep(now=now)

    assert (first["overdue"], first["defaulted"]) == (1, 1)
    assert (replay["overdue"], replay["defaulted"]) == (0, 0)
    assert ChainAction.objects.count() == 2


def test_repayments_are_claimed_by_each_holder_with_something_to_claim(chain, operator_account):
    invoice = InvoiceFactory(amount=1000, repaid=500)
    supplier_piece = PieceFactory(invoice=invoice, index=0, amount=600)
    lender = LenderFactory()
    lender_piece = PieceFactory(invoice=invoice, index=1, amount=400, holder=lender, financed=True)
    chain.claimable = {supplier_piece.pk: 300, lender_piece.pk: 200}

    assert services.maturity_sweep(now=DUE_AT)["claims"] == 2

    claims = {action.args[1]: action for action in _actions("claim")}
    assert claims[0].signer == invoice.seller.chain_account
    assert claims[1].signer == lender.chain_account
    assert claims[1].args == [invoice.fingerprint, 1]
    assert (claims[1].purpose, claims[1].subject, claims[1].sequence) == (ActionPurpose.PIECE_CLAIM, lender_piece, 500)


def test_claims_follow_each_repayment_once(chain, operator_account):
    invoice = InvoiceFactory(amount=1000, repaid=500)
    piece = PieceFactory(invoice=invoice)
    chain.claimable = {piece.pk: 500}

    services.maturity_sweep(now=DUE_AT)
    assert services.maturity_sweep(now=DUE_AT)["claims"] == 0  # the claim is queued, not yet mined
    invoice.repaid, invoice.status = 1000, InvoiceStatus.REPAID
    invoice.save()
    assert services.maturity_sweep(now=DUE_AT)["claims"] == 1

    claims = [(action.purpose, action.subject, action.sequence) for action in _actions("claim")]
    assert claims == [(ActionPurpose.PIECE_CLAIM, piece, 500), (ActionPurpose.PIECE_CLAIM, piece, 1000)]


def test_the_sweep_queues_no_claim_the_indexer_queued_on_the_repayment(chain, operator_account):
    invoice = InvoiceFactory(amount=1000, status=InvoiceStatus.CONFIRMED)
    piece = PieceFactory(invoice=invoice)
    apply_event("ObligationRepaid", fingerprint=invoice.fingerprint, amount=500, totalRepaid=500)
    chain.claimable = {piece.pk: 500}

    assert services.maturity_sweep(now=DUE_AT)["claims"] == 0

    assert [(action.subject, action.sequence) for action in _actions("claim")] == [(piece, 500)]


def test_the_chain_has_the_last_word_on_claims(chain, operator_account):
    piece = PieceFactory(invoice=InvoiceFactory(amount=1000, repaid=500))

    assert services.maturity_sweep(now=DUE_AT)["claims"] == 0
    assert chain.asked == [piece.pk]


def test_fully_claimed_pieces_are_not_asked_about(chain, operator_account):
    invoice = InvoiceFactory(amount=1000, repaid=1000, status=InvoiceStatus.REPAID)
    PieceFactory(invoice=invoice, claimed=1000)

    services.maturity_sweep(now=DUE_AT)

    assert chain.asked == []


def test_nothing_is_queued_while_the_platform_is_paused(chain, operator_account):
    InvoiceFactory(due_date=DUE)
    PieceFactory(invoice=InvoiceFactory(amount=1000, repaid=1000))
    chain.paused = True

    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT) == {
        "paused": True, "overdue": 0, "defaulted": 0, "claims": 0
    }
    assert not ChainAction.objects.exists()


def test_nothing_is_queued_while_the_indexer_is_halted(chain, operator_account):
    from chain.models import HaltCause, IndexerState

    InvoiceFactory(due_date=DUE)
    IndexerState.objects.create(chain_id=1337, genesis_hash="0xaa", contract_address="0x" + "5c" * 20,
                                last_block=63, halted_reason="Chain replaced", halted_cause=HaltCause.REPLACED)

    assert services.maturity_sweep(now=DUE_AT + GRACE + DEFAULT)["paused"] is True
    assert not ChainAction.objects.exists()


def test_sweep_defaults_to_the_chains_clock(chain, operator_account, monkeypatch):
    InvoiceFactory(due_date=DUE)
    monkeypatch.setattr(selectors, "chain_now", lambda: DUE_AT + GRACE)

    assert services.maturity_sweep()["overdue"] == 1
