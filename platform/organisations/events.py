"""Domain events: something happened to the business of one or more organisations (an invoice was
confirmed, a financing request decided). The domain apps publish them here; whoever wants to
tell the organisations (their webhooks) subscribes in its AppConfig.ready(). Publishers never
know their subscribers."""

from collections.abc import Callable, Iterable

Subscriber = Callable[..., object]  # (*, organisations, event, payload)

_subscribers: list[Subscriber] = []


def domain_event_subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def domain_event_publish(*, organisations: Iterable[int], event: str, payload: dict) -> None:
    """Tells every subscriber that `event` happened to the organisations (ids), with `payload`.
    Called inside the publisher's database transaction: subscribers write in it too."""
    recipients = list(organisations)
    for subscriber in _subscribers:
        subscriber(organisations=recipients, event=event, payload=payload)
