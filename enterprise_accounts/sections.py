"""The enterprise page's sections from its own people: its logo, photos and documents; its
social-impact facts and the links to claim the profile or report an error; the MRCs it
serves. And the pages that other apps add to the enterprise portal.

Pages are cached per directory revision and language, so the sections read nothing about the
visitor; a file approved or removed bumps the revision (``register``). The files' and the MRCs'
sections declare their presence, read in the enterprise's own query: a page without files or
MRCs served runs no query for them."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save

from enterprises.models import DirectoryRevision, Enterprise
from enterprises.sections import (
    ENTERPRISE_PAGE,
    ENTERPRISE_PORTAL,
    ENTERPRISE_PORTAL_TITLE,
    register_section,
    registered_sections,
)

from .models import EnterpriseFile


@dataclass(frozen=True)
class PortalPage:
    name: str
    title_template: str

    @property
    def slug(self):
        return self.name.replace("_", "-")

    @property
    def url_name(self):
        return f"page_{self.name}"

    @property
    def view_name(self):
        return f"enterprise_accounts:{self.url_name}"

    @property
    def section(self):
        return next(section for section in registered_sections(ENTERPRISE_PORTAL)
                    if section.name == self.name)


def portal_pages():
    """The pages other apps add to the portal, in their order; no query."""
    return [PortalPage(title.name, title.template_name)
            for title in registered_sections(ENTERPRISE_PORTAL_TITLE)]


def enterprise_files(enterprise, request):
    """One query: the enterprise's live files; the latest logo is the one shown."""
    files = list(enterprise.account_files.live().order_by("kind", "created_at"))
    return {
        "enterprise": enterprise,
        "logo": next((item for item in reversed(files)
                      if item.kind == EnterpriseFile.Kind.LOGO), None),
        "photos": [item for item in files if item.kind == EnterpriseFile.Kind.PHOTO],
        "documents": [item for item in files if item.kind == EnterpriseFile.Kind.DOCUMENT],
    }


def enterprise_profile(enterprise, request):
    """No query: what the enterprise row already holds."""
    return {
        "enterprise": enterprise,
        "has_impact": enterprise.integration_workers is not None
        or enterprise.employees_with_disabilities is not None,
    }


def mrcs_served(enterprise, request):
    """One query, only for an enterprise that gave the MRCs it serves."""
    return {"mrcs": list(enterprise.mrcs_served.select_related("region")
                         .order_by("region__code", "name"))}


def register():
    """Called from ``EnterpriseAccountsConfig.ready()``."""
    register_section(
        ENTERPRISE_PAGE, "enterprise_files", "enterprise_accounts/includes/files_section.html",
        enterprise_files, order=4,
        presence=Exists(EnterpriseFile.objects.live().filter(enterprise=OuterRef("pk"))),
    )
    register_section(
        ENTERPRISE_PAGE, "enterprise_profile", "enterprise_accounts/includes/profile_section.html",
        enterprise_profile, order=5,
    )
    register_section(
        ENTERPRISE_PAGE, "enterprise_mrcs_served",
        "enterprise_accounts/includes/mrcs_section.html", mrcs_served, order=6,
        presence=Exists(Enterprise.mrcs_served.through.objects.filter(
            enterprise=OuterRef("pk"))),
    )
    for signal in (post_save, post_delete):
        signal.connect(DirectoryRevision.bump, sender=EnterpriseFile,
                       dispatch_uid=f"enterprise-file-revision-{signal is post_save}")
