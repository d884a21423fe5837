"""Whether on-chain actions are paused, and why. They are while the indexer is halted: the chain
behind CHAIN_RPC_URL is not the history the database mirrors (replaced, rewound, or reorganised
deeper than the confirmation depth), so nothing the platform would send could be trusted to mean
what its rows say. One place answers for the services that queue actions (they refuse), the
outbox (it sends nothing) and the pages (a banner for every user, the reason for the operator),
from the record the indexer writes when it halts. Pages ask often: the answer is kept for
CHAIN_HALTED_CACHE_SECONDS in each process."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from api.errors import PausedRefusal

from .models import HaltCause, IndexerState

CHAIN_PAUSED = "chain_paused"


@dataclass(frozen=True)
class ChainHalt:
    """The indexer's halt: its cause, its own words, the last block it had indexed and the chain's
    head it found then."""

    cause: str
    reason: str
    indexed_block: int
    head: int | None

    @property
    def explanation(self) -> str:
        """Why, in the reader's language, with both heads: for the operator's eyes."""
        figures = {"head": "–" if self.head is None else self.head, "indexed": self.indexed_block}
        if self.cause == HaltCause.REPLACED:
            return _("The chain was replaced: its head is block %(head)s, the mirror had indexed block %(indexed)s.") % figures
        if self.cause == HaltCause.REWOUND:
            return _("The chain was rewound: its head is block %(head)s, the mirror had indexed block %(indexed)s.") % figures
        if self.cause == HaltCause.REORGANISED:
            return _(
                "A reorganisation deeper than %(depth)s blocks replaced block %(indexed)s, which the mirror had indexed."
            ) % {"depth": settings.CHAIN_CONFIRMATIONS, "indexed": self.indexed_block}
        return _("The indexer halted: %(reason)s") % {"reason": self.reason}


def chain_halt_now() -> ChainHalt | None:
    """The halt as the database records it at this moment (the outbox asks this way)."""
    state = IndexerState.objects.exclude(halted_reason="").order_by("-updated_at", "-pk").first()
    if state is None:
        return None
    return ChainHalt(state.halted_cause, state.halted_reason, state.last_block, state.halted_head)


_remembered: tuple[float, ChainHalt | None] | None = None


def chain_halt() -> ChainHalt | None:
    """The halt, as found at most CHAIN_HALTED_CACHE_SECONDS ago in this process."""
    global _remembered
    now = time.monotonic()
    if _remembered is None or now - _remembered[0] >= settings.CHAIN_HALTED_CACHE_SECONDS:
        _remembered = (now, chain_halt_now())
    return _remembered[1]


def chain_halt_forget() -> None:
    """The next question asks the database again: after the halt was recorded or lifted here."""
    global _remembered
    _remembered = None


class ChainPaused(PausedRefusal):
    """A new on-chain action refused while the indexer is halted. A ValidationError, so every form
    shows it and the caller's database transaction rolls back: nothing of the request is stored.
    The API answers it with 503 and the code `chain_paused`."""

    def __init__(self):
        super().__init__(
            _("On-chain actions are paused while the platform checks the chain it mirrors: nothing was saved. "
              "Try again once the operator has resolved it."),
            code=CHAIN_PAUSED,
        )


def chain_pause_refuse() -> None:
    """Raises ChainPaused while the indexer is halted."""
    if chain_halt() is not None:
        raise ChainPaused()
