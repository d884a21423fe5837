from django.urls import path

from . import views

app_name = "lender"

urlpatterns = [
    path("", views.placeholder, name="dashboard"),
    path("programmes/", views.placeholder, name="programmes"),
    path("portfolio/", views.placeholder, name="portfolio"),
    path("decisions/", views.placeholder, name="decisions"),
]
