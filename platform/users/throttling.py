"""Password guessing is slowed down per user name: after FAILURES_ALLOWED failed sign-ins within
WINDOW, further attempts for that name are refused until the window has passed, right password
or not. Failures are counted in the database, so every web process sees the same count."""

from datetime import timedelta

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from .models import SignInFailure

FAILURES_ALLOWED = 5
WINDOW = timedelta(minutes=15)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def wait_before_sign_in(username: str) -> timedelta | None:
    """How long the name must wait before it may try again, or None when it may try now."""
    since = timezone.now() - WINDOW
    failures = SignInFailure.objects.filter(username=_key(username), at__gte=since).order_by("at")
    if failures.count() < FAILURES_ALLOWED:
        return None
    return failures.first().at + WINDOW - timezone.now()


@receiver(user_login_failed)
def _record_failure(sender, credentials, request=None, **kwargs):
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    SignInFailure.objects.create(username=_key(credentials.get("username", "")), address=address)


@receiver(user_logged_in)
def _forget_failures(sender, user, request=None, **kwargs):
    SignInFailure.objects.filter(username=_key(user.get_username())).delete()
    SignInFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()  # keep the table small
