from django.urls import path

from . import views

app_name = "core_firm"

urlpatterns = [
    path("", views.placeholder, name="dashboard"),
    path("inbox/", views.placeholder, name="inbox"),
    path("calendar/", views.placeholder, name="calendar"),
    path("exposure/", views.placeholder, name="exposure"),
]
