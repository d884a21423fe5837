from django.urls import path

from . import programmes, views, writeoffs

app_name = "lender"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programmes/", programmes.programme_list, name="programmes"),
    path("programmes/<int:programme_id>/", programmes.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/terms/", programmes.programme_terms, name="programme-terms"),
    path("programmes/<int:programme_id>/fund/", programmes.programme_fund, name="programme-fund"),
    path("programmes/<int:programme_id>/withdraw/", programmes.programme_withdraw, name="programme-withdraw"),
    path("actions/<int:action_id>/", programmes.action_progress, name="action"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/<int:piece_id>/write-off/", writeoffs.piece_write_off, name="piece-write-off"),
    path("decisions/", views.decisions, name="decisions"),
]
