from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def my_applications(request):
    """Placeholder until the applicant portal lands (issue 5)."""
    return render(request, "approvals/my_applications.html", {})
