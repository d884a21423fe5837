from django.apps import AppConfig


class AuthenticatorsConfig(AppConfig):
    name = "authenticators"
    verbose_name = "Authenticators"
