from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "invoices"

    def ready(self):
        from chain.handlers import handlers_register

        from . import chain_handlers

        handlers_register(events=chain_handlers.EVENT_HANDLERS, outcomes=chain_handlers.OUTCOME_HANDLERS)
