"""chain.services, the outbox's write side: an action is a row that says what it is for (purpose,
subject, sequence), from which its idempotency key is made, and its send is scheduled once, after
the caller's transaction commits."""

import pytest
from celery import current_app
from django.core.exceptions import ValidationError

from chain import dispatch, tasks
from chain.models import ActionPurpose, ActionStatus, ChainAction
from chain.services import action_enqueue, action_enqueue_next, gas_funding_enqueue, request_key_checked
from factories import ChainAccountFactory

pytestmark = pytest.mark.django_db

MINT = ActionPurpose.TOKEN_MINT


@pytest.fixture
def signer():
    return ChainAccountFactory(label="operator")


@pytest.fixture
def subject():
    return ChainAccountFactory()


def _enqueue(signer, subject, sequence=0, args=(1, 2)):
    return action_enqueue(
        purpose=ActionPurpose.PARTICIPANT_REGISTER, subject=subject, sequence=sequence, signer=signer,
        function="registerParticipant", args=list(args),
    )


def _next(signer, subject, request_key="", args=(1, 2), in_flight_is_replay=False):
    return action_enqueue_next(
        purpose=MINT, subject=subject, signer=signer, function="mint", args=list(args), request_key=request_key,
        in_flight_is_replay=in_flight_is_replay,
    )


def test_enqueued_action_is_queued_with_its_call(signer, subject):
    action = _enqueue(signer, subject)

    action.refresh_from_db()
    assert (action.signer, action.function, action.args) == (signer, "registerParticipant", [1, 2])
    assert (action.status, action.transaction) == (ActionStatus.QUEUED, None)
    assert (action.to_address, action.value_wei) == ("", 0)


def test_enqueued_action_says_what_it_is_for(signer, subject):
    action = _enqueue(signer, subject, sequence=3)

    action.refresh_from_db()
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.PARTICIPANT_REGISTER, subject, 3)
    assert action.idempotency_key == f"participant-register:chain.chainaccount:{subject.pk}:3"


def test_same_purpose_subject_and_sequence_return_the_first_action_unchanged(signer, subject):
    first = _enqueue(signer, subject, args=(1, 2))

    again = _enqueue(signer, subject, args=(3, 4))

    assert again.pk == first.pk
    assert again.args == [1, 2]
    assert ChainAction.objects.count() == 1


def test_a_replay_schedules_one_send(signer, subject, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(signer, subject)
        _enqueue(signer, subject)

    assert len(callbacks) == 1


def test_another_subject_or_sequence_is_another_action(signer, subject, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(signer, subject)
        _enqueue(signer, subject, sequence=1)
        _enqueue(signer, ChainAccountFactory())

    assert ChainAction.objects.count() == 3
    assert len(callbacks) == 3


def test_next_actions_of_a_subject_take_the_next_sequence(signer, subject):
    first = _next(signer, subject, request_key="a")
    second = _next(signer, subject, request_key="b")

    assert (first.sequence, second.sequence) == (0, 1)
    assert (first.request_key, second.request_key) == ("a", "b")


def test_next_action_with_a_request_key_used_before_is_the_first(signer, subject):
    first = _next(signer, subject, request_key="pay-1", args=(1,))

    again = _next(signer, subject, request_key="pay-1", args=(1,))

    assert again.pk == first.pk
    assert ChainAction.objects.count() == 1


def test_the_same_call_in_flight_is_the_first_when_that_counts_as_a_replay(signer, subject):
    first = _next(signer, subject, args=(5,), in_flight_is_replay=True)

    assert _next(signer, subject, args=(5,), in_flight_is_replay=True).pk == first.pk
    assert _next(signer, subject, args=(6,), in_flight_is_replay=True).pk != first.pk


def test_without_a_request_key_or_replays_in_flight_every_call_is_a_new_action(signer, subject):
    first = _next(signer, subject, args=(5,))

    again = _next(signer, subject, args=(5,))

    assert (again.pk != first.pk, again.sequence) == (True, 1)


@pytest.mark.parametrize("settled", [ActionStatus.CONFIRMED, ActionStatus.FAILED])
def test_the_same_call_once_settled_is_a_new_action(signer, subject, settled):
    first = _next(signer, subject, args=(5,), in_flight_is_replay=True)
    ChainAction.objects.filter(pk=first.pk).update(status=settled)

    again = _next(signer, subject, args=(5,), in_flight_is_replay=True)

    assert (again.pk != first.pk, again.sequence) == (True, 1)


def test_next_numbers_follow_the_highest_taken_not_the_count(signer, subject):
    taken = action_enqueue(
        purpose=MINT, subject=subject, sequence=7, signer=signer, function="mint", args=[],
    )

    assert _next(signer, subject).sequence == taken.sequence + 1


def test_a_request_key_is_required():
    with pytest.raises(ValidationError) as refusal:
        request_key_checked("  ")

    assert "request_key" in refusal.value.message_dict


def test_a_request_key_longer_than_its_column_is_refused():
    with pytest.raises(ValidationError) as refusal:
        request_key_checked("k" * 65)

    assert refusal.value.message_dict["request_key"] == ["The request key is longer than 64 characters."]


def test_nothing_is_sent_before_the_transaction_commits(signer, subject, monkeypatch):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))

    _enqueue(signer, subject)  # the test's transaction is rolled back, never committed

    assert sent == []


def test_commit_sends_the_action_by_its_id(signer, subject, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        action = _enqueue(signer, subject)

    assert sent == [("chain.tasks.action_send_task", [action.pk])]


def test_the_send_task_is_named_as_the_workers_know_it():
    assert tasks.action_send_task.name == dispatch.ACTION_SEND_TASK


def test_gas_funding_is_a_plain_transfer_to_the_account(signer):
    account = ChainAccountFactory()

    funding = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    assert (funding.signer, funding.function, funding.args) == (signer, "transfer", [])
    assert (funding.to_address, funding.value_wei) == (account.address, 10**19)
    assert (funding.purpose, funding.subject) == (ActionPurpose.GAS_FUNDING, account)


def test_an_account_is_funded_once(signer):
    account = ChainAccountFactory()
    first = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    again = gas_funding_enqueue(operator=signer, account=account, amount_wei=10**19)

    assert again.pk == first.pk
    assert ChainAction.objects.count() == 1
