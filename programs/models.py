"""The network's programs: procurement sheets, video capsules and editorial pages.

Texts come in French/English pairs (``title`` / ``title_en``), like the directory's reference
lists; the English site falls back to the French text while a translation is missing.
"""

import itertools
import re
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from enterprises.models import Category, Enterprise
from purchases.models import MemberOrganization, Purchase


class localized:
    """The English twin of a field on the English site, the French field otherwise."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        if translation.get_language() == "en":
            english = getattr(instance, f"{self.field}_en")
            if english:
                return english
        return getattr(instance, self.field)


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class ProcurementSheet(models.Model):
    """« Fiche technique d'achat responsable »: how to buy one product or service responsibly.

    Staff write the advice; the enterprises and purchases it lists are read live from the
    directory and the repertory, so the sheet never goes stale.
    """

    # Enterprises listed per region on the sheet; the rest are one link away in the directory.
    ENTERPRISES_PER_REGION = 12
    LATEST_PURCHASES = 10

    category = models.OneToOneField(
        Category, verbose_name=_("product or service"), on_delete=models.PROTECT,
        related_name="procurement_sheet",
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    market = models.TextField(_("the market in brief"))
    market_en = models.TextField(_("the market in brief, in English"), blank=True)
    requirements = models.TextField(_("what to require in a call for tenders"))
    requirements_en = models.TextField(
        _("what to require in a call for tenders, in English"), blank=True
    )
    sample_clauses = models.TextField(_("sample clauses"), blank=True)
    sample_clauses_en = models.TextField(_("sample clauses in English"), blank=True)
    benefits = models.TextField(_("social and environmental benefits"))
    benefits_en = models.TextField(_("social and environmental benefits, in English"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    localized_title = localized("title")
    localized_market = localized("market")
    localized_requirements = localized("requirements")
    localized_sample_clauses = localized("sample_clauses")
    localized_benefits = localized("benefits")

    class Meta:
        ordering = ["title"]
        verbose_name = _("procurement sheet")
        verbose_name_plural = _("procurement sheets")
        indexes = [
            # The published sheets, newest first (home page) or by title (index).
            models.Index(fields=["is_published", "-updated_at"], name="sheet_published_idx"),
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("programs:sheet", kwargs={"slug": self.slug})

    @property
    def family(self):
        """The top-level category the sheet belongs under: the index groups sheets by it."""
        return self.category.parent or self.category

    def enterprises_by_region(self):
        """The published enterprises offering the category or one below it, by home region.

        One query: a window numbers the enterprises within their region, so each region shows
        its first ``ENTERPRISES_PER_REGION`` by name along with its total.
        """
        window = {"partition_by": [F("region_id")]}
        enterprises = (
            Enterprise.objects.published()
            .offering([self.category_id])
            .annotate(
                rank_in_region=models.Window(
                    RowNumber(), order_by=[F("name_folded").asc(), F("pk").asc()], **window
                ),
                region_total=models.Window(Count("pk"), **window),
            )
            .filter(rank_in_region__lte=self.ENTERPRISES_PER_REGION)
            .select_related("region")
            .only(
                "name", "slug", "city", "phone", "name_folded",
                "region__code", "region__name", "region__name_en", "region__slug",
            )
            .order_by("region__code", "name_folded", "pk")
        )
        return [
            {"region": rows[0].region, "total": rows[0].region_total, "enterprises": rows}
            for rows in (
                list(group) for _region, group in itertools.groupby(
                    enterprises, key=lambda enterprise: enterprise.region_id
                )
            )
        ]

    @cached_property
    def covered_categories(self):
        """The sheet's category and every category below it; the tree is read once."""
        return Category.objects.with_descendants([self.category_id])

    def published_purchases(self):
        """Validated purchases that their members agreed to publish, in this category or below."""
        return Purchase.objects.published().filter(category__in=self.covered_categories)

    def latest_purchases(self):
        return (
            self.published_purchases()
            .select_related("organization", "enterprise")
            .order_by("-award_date", "-pk")[: self.LATEST_PURCHASES]
        )

    def purchase_totals(self):
        return self.published_purchases().aggregate(count=Count("pk"), amount=Sum("amount"))


class VideoProvider(models.TextChoices):
    """The public video hosts whose privacy-enhanced players the site may embed."""

    YOUTUBE = "youtube", "YouTube"
    VIMEO = "vimeo", "Vimeo"


# The exact shape of an id on each host: anything else is refused, never put in a URL.
VIDEO_ID_PATTERNS = {
    VideoProvider.YOUTUBE: re.compile(r"[A-Za-z0-9_-]{11}"),
    VideoProvider.VIMEO: re.compile(r"[1-9][0-9]{5,11}"),
}
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be",
                 "www.youtube-nocookie.com", "youtube-nocookie.com"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}


def video_id_from(provider, value):
    """The id in what staff typed: the id itself, or a watch, share or embed address."""
    value = value.strip()
    if "/" not in value:
        return value
    parts = urlsplit(value if "://" in value else f"https://{value}")
    host, segments = parts.hostname or "", [part for part in parts.path.split("/") if part]
    if provider == VideoProvider.YOUTUBE and host in YOUTUBE_HOSTS:
        if host == "youtu.be" and segments:
            return segments[0]
        if segments[:1] == ["watch"]:
            return parse_qs(parts.query).get("v", [""])[0]
        if len(segments) == 2 and segments[0] in ("embed", "shorts", "live"):
            return segments[1]
    if provider == VideoProvider.VIMEO and host in VIMEO_HOSTS and segments:
        return segments[-1]
    return value


class VideoCapsule(models.Model):
    """A short video of a real partnership between a buyer member and social economy enterprises.

    The player is a third party: the page shows a local button and loads the player only when
    the visitor clicks it, so no request leaves for the host before that.
    """

    Provider = VideoProvider

    EMBED_URLS = {
        VideoProvider.YOUTUBE: "https://www.youtube-nocookie.com/embed/{id}?autoplay=1&rel=0",
        VideoProvider.VIMEO: "https://player.vimeo.com/video/{id}?dnt=1&autoplay=1",
    }
    WATCH_URLS = {
        VideoProvider.YOUTUBE: "https://www.youtube.com/watch?v={id}",
        VideoProvider.VIMEO: "https://vimeo.com/{id}",
    }

    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    summary_en = models.TextField(_("summary in English"), blank=True)
    # A capsule tells one member's story: it has no use once the member is gone.
    member = models.ForeignKey(
        MemberOrganization, verbose_name=_("buyer member"), on_delete=models.CASCADE,
        related_name="video_capsules",
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("featured enterprises"), related_name="video_capsules"
    )
    provider = models.CharField(_("video host"), max_length=10, choices=VideoProvider.choices)
    video_id = models.CharField(
        _("video id"), max_length=20,
        help_text=_(
            "The id, or the video's address: YouTube ids have 11 letters, digits, - or _; "
            "Vimeo ids are numbers."
        ),
    )
    transcript = models.TextField(
        _("transcript"), help_text=_("Required: visitors who cannot hear the video read it.")
    )
    transcript_en = models.TextField(_("transcript in English"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    localized_title = localized("title")
    localized_summary = localized("summary")
    localized_transcript = localized("transcript")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("video capsule")
        verbose_name_plural = _("video capsules")
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=VideoProvider.values), name="capsule_known_provider"
            ),
            models.UniqueConstraint(
                fields=["provider", "video_id"], name="capsule_unique_video"
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "-created_at"], name="capsule_published_idx"),
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("programs:capsule", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None):
        """Take the id out of a pasted address, then refuse any id of the wrong shape."""
        exclude = set(exclude or ())
        if not {"provider", "video_id"} & exclude and self.provider in VIDEO_ID_PATTERNS:
            self.video_id = video_id_from(self.provider, self.video_id or "")
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.error_dict
        if "video_id" not in errors and not {"provider", "video_id"} & exclude:
            pattern = VIDEO_ID_PATTERNS.get(self.provider)
            if pattern and not pattern.fullmatch(self.video_id):
                errors["video_id"] = [ValidationError(
                    _("This is not a %(host)s video id or address."),
                    code="invalid", params={"host": self.get_provider_display()},
                )]
        if errors:
            raise ValidationError(errors)

    def _checked_url(self, urls):
        pattern = VIDEO_ID_PATTERNS.get(self.provider)
        if not pattern or not pattern.fullmatch(self.video_id):
            return ""
        return urls[self.provider].format(id=self.video_id)

    @property
    def embed_url(self):
        """The privacy-enhanced player, loaded only after the visitor's click."""
        return self._checked_url(self.EMBED_URLS)

    @property
    def watch_url(self):
        """The video on its host's own site, for visitors without JavaScript."""
        return self._checked_url(self.WATCH_URLS)


class Page(models.Model):
    """An editorial page written by staff, such as the benefits of buying social.

    The body is plain text: a blank line starts a paragraph, a line starting with "## " is a
    heading and lines starting with "- " make a list. It is never read as HTML.
    """

    BENEFITS_SLUG = "pourquoi-acheter-economie-sociale"
    # The « À propos » page also credits the open data the directory uses (licence terms).
    ABOUT_SLUG = "a-propos"

    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary in English"), max_length=300, blank=True)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text: a blank line between paragraphs, “##” before a heading, "
            "“-” before each item of a list."
        ),
    )
    body_en = models.TextField(_("text in English"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    menu_order = models.PositiveSmallIntegerField(
        _("order in the menu"), null=True, blank=True,
        help_text=_("Pages with a number are listed on the home page, smallest first."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    localized_title = localized("title")
    localized_summary = localized("summary")
    localized_body = localized("body")

    class Meta:
        ordering = [F("menu_order").asc(nulls_last=True), "title"]
        verbose_name = _("editorial page")
        verbose_name_plural = _("editorial pages")

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("programs:page", kwargs={"slug": self.slug})

    def blocks(self):
        return text_blocks(self.localized_body)


def text_blocks(text):
    """Plain text as headings, lists and paragraphs, for the template to escape and render."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            blocks.append({"kind": "heading", "text": lines[0][3:].strip()})
        elif all(line.startswith("- ") for line in lines):
            blocks.append({"kind": "list", "items": [line[2:].strip() for line in lines]})
        else:
            blocks.append({"kind": "paragraph", "lines": lines})
    return blocks
