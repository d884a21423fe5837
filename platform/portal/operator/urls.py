from django.urls import path

from . import views

app_name = "operator"

urlpatterns = [
    path("", views.placeholder, name="dashboard"),
    path("participants/", views.placeholder, name="participants"),
    path("chain/", views.placeholder, name="chain"),
    path("receivables/", views.placeholder, name="receivables"),
]
