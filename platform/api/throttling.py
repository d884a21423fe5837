"""How many requests the API answers one caller: counted per organisation token, or per user for
a portal session (per address before anyone signed in), at the rates API_THROTTLE_RATE and
API_THROTTLE_BURST_RATE. The counts live in Django's cache, which must be shared (CACHE_URL) for
them to hold across processes."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class _CallerRate(SimpleRateThrottle):
    rate_setting: str

    def get_rate(self) -> str:
        # Read from the settings on every request, not frozen at import as DRF's THROTTLE_RATES.
        return getattr(settings, self.rate_setting)

    def get_cache_key(self, request, view) -> str:
        if request.auth is not None:  # an organisation token (organisations.tokens)
            caller = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            caller = f"user:{request.user.pk}"
        else:
            caller = f"address:{self.get_ident(request)}"
        return f"api-throttle:{self.scope}:{caller}"


class SustainedRate(_CallerRate):
    scope = "sustained"
    rate_setting = "API_THROTTLE_RATE"


class BurstRate(_CallerRate):
    scope = "burst"
    rate_setting = "API_THROTTLE_BURST_RATE"
