from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self):
        from chain.handlers import handlers_register

        from . import chain_handlers, schema  # noqa: F401  schema registers the token scheme with drf-spectacular

        handlers_register(events=chain_handlers.EVENT_HANDLERS)
