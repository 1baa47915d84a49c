"""sitemap.xml sections of the programs, in French and in English like the directory's."""

from enterprises.sitemaps import NamedPageSitemap, SlugPageSitemap

from .models import Page, ProcurementSheet, VideoCapsule


class PublishedSlugSitemap(SlugPageSitemap):
    changefreq = "monthly"
    priority = 0.7
    model = None

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SheetSitemap(PublishedSlugSitemap):
    model = ProcurementSheet
    url_name = "programs:sheet"
    # The enterprises listed on a sheet change with the directory.
    changefreq = "weekly"


class CapsuleSitemap(PublishedSlugSitemap):
    model = VideoCapsule
    url_name = "programs:capsule"


class PageSitemap(PublishedSlugSitemap):
    model = Page
    url_name = "programs:page"


class ProgramIndexSitemap(NamedPageSitemap):
    changefreq = "weekly"
    priority = 0.7
    url_names = ["programs:sheet_index", "programs:capsule_index"]


sitemaps = {
    "programs": ProgramIndexSitemap,
    "sheets": SheetSitemap,
    "capsules": CapsuleSitemap,
    "editorial": PageSitemap,
}
