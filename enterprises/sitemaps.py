"""sitemap.xml: every public page of the directory, in French and in English.

``i18n=True`` lists each page once per language and ``alternates=True`` links the two versions
(hreflang), so search engines index the English pages as translations, not duplicates.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from .models import Category, Enterprise, Region, Sector


class DirectorySitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_languages_for_item(self, item):
        """The site's languages, French under the site's own code (fr-ca): i18n_patterns
        leaves only that code without a URL prefix."""
        if not hasattr(self, "_languages_for_items"):
            default = settings.LANGUAGE_CODE
            unprefixed = translation.get_supported_language_variant(default)
            self._languages_for_items = [
                default if code == unprefixed else code for code, _name in settings.LANGUAGES
            ]
        return self._languages_for_items


class SlugPageSitemap(DirectorySitemap):
    """Pages at ``url_name`` with the item's slug.

    Each entry needs its URL in every language four times (location, two alternates,
    x-default); reverse() is the costliest part of that, so it runs once per language and the
    slug is put into the path it returned.
    """

    url_name = None
    placeholder = "slug-placeholder"

    def location(self, item):
        if not hasattr(self, "_paths"):
            self._paths = {}
        language = translation.get_language()
        if language not in self._paths:
            path = reverse(self.url_name, kwargs={"slug": self.placeholder})
            self._paths[language] = path.split(self.placeholder)
        before, after = self._paths[language]
        return f"{before}{item.slug}{after}"


class EnterpriseSitemap(SlugPageSitemap):
    url_name = "enterprises:detail"
    changefreq = "weekly"
    priority = 0.8
    # URLs per file (two per enterprise): smaller files than the protocol's 50 000 answer fast.
    limit = 10_000

    def items(self):
        return Enterprise.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, enterprise):
        return enterprise.updated_at

    def get_latest_lastmod(self):
        """For the index: one MAX() instead of loading every enterprise."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class ReferencePageSitemap(SlugPageSitemap):
    """The page of each category, sector or region."""

    changefreq = "weekly"
    priority = 0.6
    model = None

    def items(self):
        return self.model.objects.order_by("pk")


class CategorySitemap(ReferencePageSitemap):
    model = Category
    url_name = "enterprises:category"


class SectorSitemap(ReferencePageSitemap):
    model = Sector
    url_name = "enterprises:sector"


class RegionSitemap(ReferencePageSitemap):
    model = Region
    url_name = "enterprises:region"


class NamedPageSitemap(DirectorySitemap):
    """Pages that take no argument, listed by their URL names."""

    url_names = []

    def items(self):
        return self.url_names

    def location(self, url_name):
        return reverse(url_name)


class StaticPageSitemap(NamedPageSitemap):
    changefreq = "daily"
    priority = 1.0
    url_names = ["enterprises:home", "enterprises:list", "enterprises:category_index"]


sitemaps = {
    "pages": StaticPageSitemap,
    "enterprises": EnterpriseSitemap,
    "categories": CategorySitemap,
    "sectors": SectorSitemap,
    "regions": RegionSitemap,
}
