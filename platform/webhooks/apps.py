from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self):
        from organisations.events import domain_event_subscribe

        from .services import webhook_event_publish

        domain_event_subscribe(webhook_event_publish)  # every domain event reaches the organisations' webhooks
