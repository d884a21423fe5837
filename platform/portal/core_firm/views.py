"""The core firm's pages."""

from django.shortcuts import render

from organisations.models import Role
from portal.access import role_required

ROLES = (Role.CORE_FIRM,)


@role_required(*ROLES)
def placeholder(request):
    return render(request, "portal/placeholder.html")
