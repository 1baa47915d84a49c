"""The enterprise page's section from its own people: social-impact facts, logo, photos and
documents, and the links to claim the profile or report an error.

Pages are cached per directory revision and language, so the section reads nothing about the
visitor; a file approved or removed bumps the revision (``register``)."""

from django.db.models.signals import post_delete, post_save

from enterprises.models import DirectoryRevision
from enterprises.sections import ENTERPRISE_PAGE, register_section

from .models import EnterpriseFile


def enterprise_profile(enterprise, request):
    """One query: the enterprise's live files."""
    files = list(enterprise.account_files.live().order_by("kind", "created_at"))
    return {
        "enterprise": enterprise,
        "logo": next((item for item in reversed(files)
                      if item.kind == EnterpriseFile.Kind.LOGO), None),
        "photos": [item for item in files if item.kind == EnterpriseFile.Kind.PHOTO],
        "documents": [item for item in files if item.kind == EnterpriseFile.Kind.DOCUMENT],
        "has_impact": enterprise.integration_workers is not None
        or enterprise.employees_with_disabilities is not None,
    }


def register():
    """Called from ``EnterpriseAccountsConfig.ready()``."""
    register_section(
        ENTERPRISE_PAGE, "enterprise_profile", "enterprise_accounts/includes/profile_section.html",
        enterprise_profile, order=5,
    )
    for signal in (post_save, post_delete):
        signal.connect(DirectoryRevision.bump, sender=EnterpriseFile,
                       dispatch_uid=f"enterprise-file-revision-{signal is post_save}")
