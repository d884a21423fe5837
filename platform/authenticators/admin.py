"""Authenticators in the admin: who has one and whether it is confirmed, never its secret. An admin
can delete a lost authenticator (its user then sets up a new one); django-otp's own TOTPDevice
admin, which shows the key and its QR code, is unregistered."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import EncryptedTOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(EncryptedTOTPDevice)
class EncryptedTOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a secret is only ever shown to its user, on the portal's set-up page

    def has_change_permission(self, request, obj=None):
        return False
