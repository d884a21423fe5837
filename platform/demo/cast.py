"""The demo supply chain's cast: who is who, and the terms the lenders offer."""

from organisations.models import Role

CORE_FIRM = ("Huaxin Motors", "DEMO-HUAXIN", Role.CORE_FIRM, "huaxin")
TIER_1 = ("Jiangsu Precision Parts", "DEMO-PRECISION", Role.SUPPLIER, "precision")
TIER_2 = ("Suzhou Castings", "DEMO-CASTINGS", Role.SUPPLIER, "castings")
TIER_3 = ("Wuxi Alloys", "DEMO-ALLOYS", Role.SUPPLIER, "alloys")
LENDERS = [
    ("Pudong Commercial Bank", "DEMO-PUDONG", Role.LENDER, "pudong"),
    ("Harbour Trade Finance", "DEMO-HARBOUR", Role.LENDER, "harbour"),
]
AUDITOR = ("Lotus Audit", "DEMO-LOTUS", Role.AUDITOR, "auditor")
ADMIN_USERNAME = "admin"

PARTICIPANTS = [CORE_FIRM, TIER_1, TIER_2, TIER_3, *LENDERS]
USDC = 1
# Each lender's programme with the core firm, in USDC (currency units; rates in basis points).
PROGRAMME_TERMS = [
    {"limit": "5000000", "advance_rate_bps": 9000, "base_rate_bps": 450, "max_tenor_days": 180,
     "rating_spread_bps": 25, "min_rating": 4, "max_rating_age_days": 365},
    {"limit": "2000000", "advance_rate_bps": 8500, "base_rate_bps": 600, "max_tenor_days": 120,
     "rating_spread_bps": 40, "min_rating": 3, "max_rating_age_days": 180},
]
PROGRAMME_FUNDING = "1500000"
LENDER_TOKENS = 3_000_000  # USDC minted to each lender on the local chain
CORE_FIRM_TOKENS = 5_000_000
