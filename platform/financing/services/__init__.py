"""The financing app's writes, one module per entity: programmes (terms, deposits, withdrawals),
financing requests, write-offs of financed pieces, supplier ratings and the maturity sweep. Each
only queues outbox actions, under columns that say what they are for, so a replay never acts twice."""

from .maturities import claims_enqueue, maturity_sweep
from .programmes import programme_defund, programme_fund, programme_set_terms
from .ratings import ratings_post
from .requests import financing_request, lender_to_ask
from .write_offs import piece_write_off, write_off_refusal

__all__ = [
    "claims_enqueue", "financing_request", "lender_to_ask", "maturity_sweep", "piece_write_off", "programme_defund", "programme_fund",
    "programme_set_terms", "ratings_post", "write_off_refusal",
]
