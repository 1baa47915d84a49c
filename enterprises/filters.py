"""The directory's filters, shared by the public listing, the JSON API and the export.

Filter values are slugs (region codes for regions; codes or slugs for MRCs) so that a URL is
readable and shareable:
``/repertoire/?q=traiteur&region=04&mrc=mekinac&category=alimentation&legal_form=cooperative``.
Several values of one filter match any of them; different filters must all match.
"""

import copy
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .models import Category, Enterprise, Label, Mrc, Region, Sector
from .search import search
from .search.text import MAX_QUERY_LENGTH

PAGE_SIZES = (20, 50, 100)


class Sort:
    RELEVANCE = "relevance"
    NAME = "name"
    NEWEST = "newest"

    choices = [
        (RELEVANCE, _("Relevance")),
        (NAME, _("Name")),
        (NEWEST, _("Newest")),
    ]
    # By the accent-free "name_folded", so « École » sorts among the E on every database;
    # enterprise_status_name_idx turns the first page into a short index scan. An enterprise
    # without a publication date is the oldest on every database (and in the directory index).
    orderings = {
        RELEVANCE: ("-search_rank", "name_folded", "pk"),
        NAME: ("name_folded", "pk"),
        NEWEST: (F("published_at").desc(nulls_last=True), "-pk"),
    }


class DirectoryForm(forms.Form):
    """The filters' form, plus the two presentation choices: the order and the page size."""

    sort = forms.ChoiceField(label=_("Sort by"), choices=Sort.choices, required=False)
    per_page = forms.TypedChoiceField(
        label=_("Results per page"),
        choices=[(size, size) for size in PAGE_SIZES],
        coerce=int,
        required=False,
    )


CODE_OR_SLUG = re.compile(r"[-\w]{1,100}")


class KnownChoicesField(django_filters.fields.ModelMultipleChoiceField):
    """Chosen values looked up in ``known`` (``{value: instance}``, in display order) when the
    filter set was given the directory index's reference lists, else in the database: the
    listing then checks a chosen region without a query."""

    known = None

    def _check_values(self, value):
        keys = self.keys(value)
        if self.known is None:
            return self.chosen_in_database(keys)
        for key in keys:
            self.validate_no_null_characters(key)
        unknown = keys - self.known.keys()
        if unknown:
            raise self.invalid_choice(unknown)
        chosen = {self.known[key].pk: self.known[key] for key in keys}
        return [choice for choice in dict.fromkeys(self.known.values()) if choice.pk in chosen]

    def keys(self, value):
        try:
            return {str(key) for key in value}
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None

    def invalid_choice(self, unknown):
        return ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": sorted(unknown)[0]},
        )

    def chosen_in_database(self, keys):
        return super()._check_values(keys)


class KnownChoicesFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = KnownChoicesField


class CodeOrSlugMultipleChoiceField(KnownChoicesField):
    """Choices named by their code (``350``) or their slug (``mekinac``), which never look
    alike: a slug always holds a letter."""

    def chosen_in_database(self, keys):
        # Only what could be a code or a slug is looked up: a NUL byte, which PostgreSQL
        # refuses in a query, is just an unknown choice.
        lookups = {key for key in keys if CODE_OR_SLUG.fullmatch(key)}
        chosen = list(
            self.queryset.filter(Q(code__in=lookups) | Q(slug__in=lookups))
        ) if lookups else []
        unknown = keys - {choice.code for choice in chosen} - {choice.slug for choice in chosen}
        if unknown:
            raise self.invalid_choice(unknown)
        return chosen


class CodeOrSlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CodeOrSlugMultipleChoiceField


class SharedFilters(dict):
    """The filter set's filters, copied for each filter set without their querysets and
    choices, which no request changes: deep-copying a queryset's query and lazy labels cost
    most of making the directory's filter set, which each listing makes once or twice."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, base in self.items():
            copies[name] = copied = copy.copy(base)
            copied.extra = dict(base.extra)
            # A method filter calls its filter set through an object bound to the filter:
            # bound again to the copy, whose parent is the new filter set.
            copied.method = base.method
        return copies


class SharedFields(dict):
    """The form's fields, copied for each form as ``forms.Field`` copies itself, sharing their
    querysets and choices (see ``SharedFilters``); a field's widget is still its own."""

    def __deepcopy__(self, memo):
        return {name: forms.Field.__deepcopy__(field, memo) for name, field in self.items()}


def is_chosen(value):
    if isinstance(value, QuerySet) and value.query.is_empty():
        return False
    return bool(value)


class EnterpriseFilterSet(django_filters.FilterSet):
    """``EnterpriseFilterSet(request.GET, queryset=Enterprise.objects.published())``.

    ``.qs`` is the filtered and sorted queryset. Invalid values (an unknown slug, a text
    that is too long) leave their filter out and show up in ``.form.errors``; the other
    filters still apply.
    """

    q = django_filters.CharFilter(
        label=_("Product, service, name or NEQ"),
        # Longer text is refused with a form message: the search has no use for it, and some
        # databases fail on very long LIKE patterns.
        max_length=MAX_QUERY_LENGTH,
        method="filter_text",
    )
    category = KnownChoicesFilter(
        label=_("Products and services"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    sector = KnownChoicesFilter(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="slug",
        method="filter_sector",
    )
    region = KnownChoicesFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="code",
        method="filter_region",
    )
    mrc = CodeOrSlugMultipleChoiceFilter(
        label=_("MRC or equivalent territory"),
        queryset=Mrc.objects.all(),
        method="filter_mrc",
    )
    legal_form = django_filters.MultipleChoiceFilter(
        label=_("Legal form"),
        choices=Enterprise.LegalForm.choices,
        method="filter_legal_form",
    )
    label = KnownChoicesFilter(
        label=_("Label"),
        queryset=Label.objects.all(),
        to_field_name="slug",
        method="filter_label",
    )
    # Only the public state is offered: "not verified" and "needs review" are curators' words.
    verification = django_filters.MultipleChoiceFilter(
        label=_("Verification"),
        choices=[(Enterprise.Verification.VERIFIED, _("Verified by the network"))],
        method="filter_verification",
    )

    class Meta:
        model = Enterprise
        fields = [
            "q", "category", "sector", "region", "mrc", "legal_form", "label", "verification",
        ]
        form = DirectoryForm

    def __init__(self, data=None, queryset=None, *, known_choices=None, **kwargs):
        """``known_choices`` (``DirectoryIndex.known_choices``) checks the chosen regions,
        categories, sectors, labels and MRCs against the lists the index holds, without a
        query each."""
        super().__init__(data, queryset, **kwargs)
        self.known_choices = known_choices or {}

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, known in self.known_choices.items():
                form.fields[name].known = known
        return self._form

    @classmethod
    def get_filters(cls):
        return SharedFilters(super().get_filters())

    def filter_text(self, queryset, name, value):
        results = search(queryset, value)
        # A text with nothing searchable in it (only punctuation, say) filters nothing and
        # comes back unranked; rank it all equal so that the relevance order still applies.
        if "search_rank" not in results.query.annotations:
            results = results.annotate(search_rank=Value(0.0, output_field=FloatField()))
        return results

    def filter_category(self, queryset, name, value):
        return queryset.offering(value)

    def filter_sector(self, queryset, name, value):
        return queryset.in_sectors(value)

    def filter_region(self, queryset, name, value):
        return queryset.in_regions(value)

    def filter_mrc(self, queryset, name, value):
        return queryset.in_mrcs(value)

    def filter_legal_form(self, queryset, name, value):
        return queryset.filter(legal_form__in=value)

    def filter_label(self, queryset, name, value):
        return queryset.holding_labels(value)

    def filter_verification(self, queryset, name, value):
        return queryset.filter(verification_status__in=value)

    def get_form_class(self):
        """The same form class for every request. django-filter builds a class, and a field for
        each filter, for each filter set; the fields hold nothing of a request (the form copies
        them when it is made), so the first class made serves them all."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
            cls._form_class.base_fields = SharedFields(cls._form_class.base_fields)
        return cls._form_class

    @cached_property
    def cleaned_data(self):
        """The valid values of a bound form (an unbound one filters nothing)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    @cached_property
    def active_filters(self):
        """The valid, non-empty filter values: ``{"region": <QuerySet [Region…]>, "q": "…"}``.

        A filter left empty holds ``queryset.none()``, told apart without compiling it: a page
        reads these a dozen times, and the chosen values' querysets run once.
        """
        cleaned = self.cleaned_data
        return {name: cleaned[name] for name in self.filters if is_chosen(cleaned.get(name))}

    def filter_queryset(self, queryset):
        for name, value in self.active_filters.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by(*Sort.orderings[self.sort])

    @property
    def sort(self):
        """The chosen order; relevance only makes sense (and is the default) with a text query."""
        has_query = "q" in self.active_filters
        chosen = self.cleaned_data.get("sort")
        if chosen == Sort.RELEVANCE and not has_query:
            chosen = None
        return chosen or (Sort.RELEVANCE if has_query else Sort.NAME)

    @property
    def per_page(self):
        return self.cleaned_data.get("per_page") or PAGE_SIZES[0]
