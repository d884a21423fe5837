from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"

    def ready(self):
        from . import throttling  # noqa: F401  (connects the sign-in signal receivers)
