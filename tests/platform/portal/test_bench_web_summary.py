"""The last line `make bench-web` prints (scripts/bench_web_report.summary_line): the worst page
under load, the web CPU a request and the slowest page alone, each page named as the table names it."""

import sys
from pathlib import Path

from web_pages import Page

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from bench_web_report import summary_line  # noqa: E402

PAGES = [Page("portal:lender:portfolio", "lender", "/lender/portfolio/"),
         Page("invoice-list", "core_firm", "/api/invoices/"),
         Page("portal:supplier:cash", "supplier", "/supplier/cash/")]


def test_the_summary_names_the_worst_page_under_load_and_the_slowest_alone():
    alone = {"lender portfolio": (10, 38.6), "api invoice-list (core_firm)": (5, 21.2), "supplier cash": (7, 9.0)}
    stats = {"lender portfolio": {"95%": "120"}, "api invoice-list (core_firm)": {"95%": "140"},
             "supplier cash": {"95%": "40"}}

    line = summary_line(PAGES, alone, stats, 11.6)

    assert line == ("web: worst p95 140 ms (api invoice-list (core_firm)), web CPU 12 ms a request, "
                    "worst alone 39 ms (lender portfolio)")


def test_a_page_without_requests_under_load_is_left_out_of_the_worst_p95():
    alone = {label: (3, 5.0) for label in ("lender portfolio", "api invoice-list (core_firm)", "supplier cash")}

    line = summary_line(PAGES, alone, {"supplier cash": {"95%": "40"}}, 8.2)

    assert line.startswith("web: worst p95 40 ms (supplier cash), web CPU 8 ms a request")
