"""The chain app's two extension points, through which the floors above learn what happened on
chain without the chain knowing them:

- **Contract events.** `handlers_register(events={"InvoiceConfirmed": handler, ...})`. The indexer
  calls each handler of an event once per log, with the ChainEvent row, inside the database
  transaction that records it: a handler's writes and the event's record commit together.
- **Action outcomes.** `handlers_register(outcomes={purpose: {"failed": handler}})`, or "confirmed".
  When an action settles, each handler of its purpose and final status is called with the
  ChainAction (`action.error` holds the chain's reason in words, decoded from its custom error),
  inside the database transaction that settles it.

Each domain app registers its own handlers in its `AppConfig.ready()`. Handlers run in the order
the apps are installed; an event or purpose with no handler is simply recorded."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from .models import ActionPurpose, ActionStatus, ChainAction, ChainEvent

EventHandler = Callable[[ChainEvent], None]
OutcomeHandler = Callable[[ChainAction], None]

_event_handlers: dict[str, list[EventHandler]] = defaultdict(list)
_outcome_handlers: dict[tuple[str, str], list[OutcomeHandler]] = defaultdict(list)


def _add(handlers: list, handler) -> None:
    if handler not in handlers:  # a second ready() (tests that reload apps) registers nothing twice
        handlers.append(handler)


def handlers_register(
    *,
    events: Mapping[str, EventHandler] | None = None,
    outcomes: Mapping[ActionPurpose, Mapping[str, OutcomeHandler]] | None = None,
) -> None:
    """Registers handlers of contract events, by event name, and of action outcomes, by purpose
    and final status ("confirmed" or "failed")."""
    for name, handler in (events or {}).items():
        _add(_event_handlers[name], handler)
    for purpose, by_status in (outcomes or {}).items():
        for status, handler in by_status.items():
            if status not in (ActionStatus.CONFIRMED, ActionStatus.FAILED):
                raise ValueError(f"An action's outcome is confirmed or failed, not {status!r}.")
            _add(_outcome_handlers[purpose, status], handler)


def handled_events() -> set[str]:
    return {name for name, handlers in _event_handlers.items() if handlers}


def event_apply(event: ChainEvent) -> None:
    """Runs the handlers of one recorded contract event."""
    for handler in _event_handlers.get(event.name, ()):
        handler(event)


def wants_outcome(status: ActionStatus) -> bool:
    """Whether any handler waits for actions settling with `status` (spares the indexer a query)."""
    return any(handlers for (_, wanted), handlers in _outcome_handlers.items() if wanted == status)


def actions_settled(actions: Iterable[ChainAction]) -> None:
    """Runs the outcome handlers of actions that have just reached their final status."""
    for action in actions:
        for handler in _outcome_handlers.get((action.purpose, action.status), ()):
            handler(action)
