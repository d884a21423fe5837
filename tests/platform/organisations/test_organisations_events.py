"""organisations.events: the domain apps publish what happened to organisations; subscribers (the
webhooks app) hear every event, once each, and publishers never know them."""

import pytest

from organisations import events
from webhooks.services import webhook_event_publish


@pytest.fixture
def subscribers(monkeypatch):
    """An empty list of subscribers for the test: the installed ones are tested where they live."""
    fresh: list = []
    monkeypatch.setattr(events, "_subscribers", fresh)
    return fresh


def test_every_subscriber_hears_the_event_with_its_organisations_and_payload(subscribers):
    heard = []
    events.domain_event_subscribe(lambda **event: heard.append(("first", event)))
    events.domain_event_subscribe(lambda **event: heard.append(("second", event)))

    events.domain_event_publish(organisations=(3, 4), event="invoice.confirmed", payload={"invoice": 9})

    told = {"organisations": [3, 4], "event": "invoice.confirmed", "payload": {"invoice": 9}}
    assert heard == [("first", told), ("second", told)]


def test_a_subscriber_subscribed_twice_hears_an_event_once(subscribers):
    heard = []

    def subscriber(**event):
        heard.append(event["event"])

    events.domain_event_subscribe(subscriber)
    events.domain_event_subscribe(subscriber)
    events.domain_event_publish(organisations=[1], event="invoice.repaid", payload={})

    assert heard == ["invoice.repaid"]


def test_the_webhooks_app_subscribes_when_it_is_ready():
    assert webhook_event_publish in events._subscribers
