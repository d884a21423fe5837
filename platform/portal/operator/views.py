"""The operator's pages."""

from django.shortcuts import render

from organisations.models import Role
from portal.access import role_required

ROLES = (Role.ADMIN, Role.AUDITOR,)


@role_required(*ROLES)
def placeholder(request):
    return render(request, "portal/placeholder.html")
