"""chain.handlers, the chain's two extension points: the handlers the apps register for contract
events and for actions' final outcomes are called, each once, with the row; the chain itself
knows none of them."""

import pytest

from chain import handlers, sender
from chain.models import ActionPurpose, ActionStatus, ChainAction
from factories import ChainAccountFactory, ChainEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    """An empty registry for each test: the apps' own handlers are tested in the apps' tests."""
    monkeypatch.setattr(handlers, "_event_handlers", handlers.defaultdict(list))
    monkeypatch.setattr(handlers, "_outcome_handlers", handlers.defaultdict(list))


def _action(purpose=ActionPurpose.TOKEN_MINT, status=ActionStatus.FAILED) -> ChainAction:
    account = ChainAccountFactory()
    return ChainAction.objects.create(
        idempotency_key=f"{purpose}:{account.pk}", purpose=purpose, subject=account, signer=account,
        function="mint", status=status, error="ERC20InsufficientBalance",
    )


def test_each_handler_of_an_event_runs_once_in_the_order_registered():
    seen = []
    first, second = (lambda event: seen.append(("first", event.pk))), (lambda event: seen.append(("second", event.pk)))
    handlers.handlers_register(events={"InvoiceConfirmed": first})
    handlers.handlers_register(events={"InvoiceConfirmed": second})
    handlers.handlers_register(events={"InvoiceConfirmed": first})  # a second ready() adds nothing
    event = ChainEventFactory(name="InvoiceConfirmed")

    handlers.event_apply(event)

    assert seen == [("first", event.pk), ("second", event.pk)]


def test_an_event_nobody_handles_is_only_recorded():
    handlers.handlers_register(events={"InvoiceConfirmed": lambda event: pytest.fail("wrong event")})

    handlers.event_apply(ChainEventFactory(name="Paused"))

    assert handlers.handled_events() == {"InvoiceConfirmed"}


def test_a_failed_action_reaches_the_failed_handlers_of_its_purpose_only():
    seen = []
    handlers.handlers_register(outcomes={
        ActionPurpose.TOKEN_MINT: {"failed": lambda action: seen.append((action.pk, action.error)),
                                   "confirmed": lambda action: pytest.fail("not confirmed")},
        ActionPurpose.GAS_FUNDING: {"failed": lambda action: pytest.fail("another purpose")},
    })
    action = _action()

    handlers.actions_settled([action])

    assert seen == [(action.pk, "ERC20InsufficientBalance")]


def test_a_confirmed_action_reaches_the_confirmed_handlers():
    seen = []
    handlers.handlers_register(outcomes={ActionPurpose.TOKEN_MINT: {"confirmed": seen.append}})
    action = _action(status=ActionStatus.CONFIRMED)

    handlers.actions_settled([action])

    assert seen == [action]
    assert handlers.wants_outcome(ActionStatus.CONFIRMED)
    assert not handlers.wants_outcome(ActionStatus.FAILED)


def test_an_outcome_is_confirmed_or_failed():
    with pytest.raises(ValueError, match="confirmed or failed"):
        handlers.handlers_register(outcomes={ActionPurpose.TOKEN_MINT: {"mined": print}})


def test_the_sender_settles_refused_actions_through_the_handlers():
    seen = []
    handlers.handlers_register(outcomes={ActionPurpose.TOKEN_MINT: {"failed": seen.append}})
    refused, queued = _action(), _action(status=ActionStatus.QUEUED)

    sender._after_failure([refused.pk, queued.pk])

    assert seen == [refused]
