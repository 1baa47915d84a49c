"""Staff's decision on a logo, photo or document an enterprise sent."""

from .mail import send_to
from .models import EnterpriseFile


def approve(item):
    # Saving bumps the directory's revision (``sections.register``): the page shows it.
    item.state = EnterpriseFile.State.APPROVED
    item.save()


def refuse(item, reason):
    """Kept off the profile, and the person who sent it is told why, in their language."""
    item.state, item.refusal_reason = EnterpriseFile.State.REFUSED, reason
    item.save()
    user = item.uploaded_by
    if user is None or not user.email:
        return
    membership = user.enterprise_memberships.filter(enterprise=item.enterprise).first()
    send_to(user.email, membership.language if membership else "fr", "file_refused",
            {"item": item, "enterprise": item.enterprise})
