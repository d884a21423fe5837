"""URL routes. The portal and the REST API are added by their own apps."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
