"""chain.services, the outbox's write side: an action is a row keyed by its idempotency key, and
its send is scheduled once, after the caller's transaction commits."""

import pytest

from chain import tasks
from chain.models import ActionStatus, ChainAction
from chain.services import action_enqueue, gas_funding_enqueue
from factories import ChainAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signer():
    return ChainAccountFactory(label="operator")


def _enqueue(signer, key="participant-register:7", args=(1, 2)):
    return action_enqueue(signer=signer, function="registerParticipant", args=list(args), idempotency_key=key)


def test_enqueued_action_is_queued_with_its_call(signer):
    action = _enqueue(signer)

    action.refresh_from_db()
    assert (action.signer, action.function, action.args) == (signer, "registerParticipant", [1, 2])
    assert (action.status, action.transaction) == (ActionStatus.QUEUED, None)
    assert (action.to_address, action.value_wei) == ("", 0)


def test_same_key_returns_the_first_action_unchanged(signer):
    first = _enqueue(signer, args=(1, 2))

    again = _enqueue(signer, args=(3, 4))

    assert again.pk == first.pk
    assert again.args == [1, 2]
    assert ChainAction.objects.count() == 1


def test_same_key_schedules_one_send(signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(signer)
        _enqueue(signer)

    assert len(callbacks) == 1


def test_different_keys_are_different_actions(signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(signer, key="participant-register:7")
        _enqueue(signer, key="participant-register:8")

    assert ChainAction.objects.count() == 2
    assert len(callbacks) == 2


def test_nothing_is_sent_before_the_transaction_commits(signer, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.action_send_task, "delay", sent.append)

    _enqueue(signer)  # the test's transaction is rolled back, never committed

    assert sent == []


def test_commit_sends_the_action_by_its_id(signer, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.action_send_task, "delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        action = _enqueue(signer)

    assert sent == [action.pk]


def test_gas_funding_is_a_plain_transfer_to_the_account(signer):
    account = ChainAccountFactory()

    funding = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    assert (funding.signer, funding.function, funding.args) == (signer, "transfer", [])
    assert (funding.to_address, funding.value_wei) == (account.address, 10**19)
    assert funding.idempotency_key == f"fund-gas:{account.address}"


def test_an_account_is_funded_once(signer):
    account = ChainAccountFactory()
    first = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    again = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    assert again.pk == first.pk
    assert ChainAction.objects.count() == 1
