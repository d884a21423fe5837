from django.urls import path

from . import views

app_name = "supplier"

urlpatterns = [
    path("", views.placeholder, name="dashboard"),
    path("invoices/", views.placeholder, name="invoices"),
    path("upload/", views.placeholder, name="upload"),
    path("receivables/", views.placeholder, name="receivables"),
    path("financing/", views.placeholder, name="financing"),
    path("cash/", views.placeholder, name="cash"),
]
