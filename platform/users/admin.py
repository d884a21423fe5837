"""Users in the admin: Django's own user admin, plus the organisation a user acts for."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (*DjangoUserAdmin.list_display, "organisation")
    list_select_related = ("organisation",)
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Organisation", {"fields": ("organisation",)}))
