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
