"""Signing in with a user name and password, as Django's ModelBackend does, and loading the
signed-in user of each request together with its organisation: every portal page asks for the
user's role, and its organisation's time zone and KYC status, so one query serves them all."""

from django.contrib.auth.backends import ModelBackend

from .models import User

PATH = "users.backends.UserWithOrganisationBackend"


class UserWithOrganisationBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisation").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
