"""People who log in. Each belongs to one organisation and acts with its role."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    @property
    def role(self) -> str | None:
        return self.organisation.role if self.organisation_id else None


class Invitation(models.Model):
    """An invitation into an organisation. Only a SHA-256 of its token is stored; the link holding
    the token is shown once to the inviter and e-mailed to the invitee."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

