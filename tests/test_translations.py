"""Every page in its reader's language: the translation walk.

The French catalogue must translate every message it holds (none empty, none fuzzy); then every
URL of the site, read from the URLconf (so a page that another app adds later is walked too),
is opened in French and in English as each kind of user, and a page fails on words or
typography of the other language. Enterprise names and descriptions are the enterprises' own
words, left out of the check.
"""

import csv
import io
import re
from collections import Counter
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path

import factory
import openpyxl
import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import CharField, TextField
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from enterprises.models import Enterprise, ImportRun, Network
from purchases.models import Membership, Purchase
from purchases.uploads import start_job
from tests import factories

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IMPORT_SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "imports"
LANGUAGES = ("fr", "en")
ROLES = ("anonymous", "member", "manager", "staff", "superuser", "enterprise")

# Words that a reader of the other language would notice, as whole words, case kept.
FRENCH_ONLY = [
    "Rechercher", "Recherche", "Entreprise", "Entreprises", "Enregistrer", "Brouillon",
    "Courriel", "Connexion", "Déconnexion", "Modifier", "Supprimer", "Annuler", "Accueil",
    "Résultats", "résultats", "Télécharger", "Suivant", "Précédent", "Aucun", "Aucune",
    "Ajouter", "Envoyer", "Historique", "Filtres", "Inscription", "Tableau de bord",
]
ENGLISH_ONLY = [
    "Search", "Save", "Draft", "Email", "Submit", "Cancel", "Delete", "Sign in", "Log in",
    "Log out", "Next", "Previous", "Home", "Download", "Results", "results", "None",
    "Published", "Archived", "Changes", "entries", "Filters", "Dashboard", "Password",
]
# French typography that an English page must not show: « », a space before a colon or a
# per cent sign, a dollar sign after the figure ("380,734 $").
FRENCH_TYPOGRAPHY = re.compile(r"[«»]|\S[ \u00a0\u202f]:(?=\s|$)|\d[ \u00a0\u202f][%$]")
# English figures on a French page: a dollar sign before the figure.
ENGLISH_TYPOGRAPHY = re.compile(r"\$\s?\d")
# A label's colon written the English way on a French page, glued to its word or after a
# breakable space ("Exporter CSV / XLSX:", "Brouillon : 9"), where French wants a no-break
# space. A colon between digits (a time) or before "//" (an address) is not a label's.
ENGLISH_COLON = re.compile(r"\w ?:(?=\s|$)")
# Django's delete pages list the objects as "Model: object", written in Python with no message
# to translate: the colon check leaves those pages out (their words are still checked).
COLON_UNCHECKED = ("_delete", ":delete_selected")
# Attributes whose text a reader sees or hears.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "aria-description"}


def every_named_pattern(patterns=None, namespace="", parameters=()):
    """``(name, parameter names, positional)`` of every named URL pattern, namespaces
    included; ``positional`` when its groups have no names (simple-history's version page)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        regex = pattern.pattern.regex
        names = (*parameters, *regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_named_pattern(pattern.url_patterns, inner, names)
        elif pattern.name:
            view = getattr(pattern.callback, "view_class", None)
            queryset = getattr(view, "queryset", None)
            model = getattr(view, "model", None) or getattr(queryset, "model", None)
            if model is not None:
                VIEW_MODELS[namespace + pattern.name] = model
            yield namespace + pattern.name, names, regex.groups > len(regex.groupindex)


# The model of each class-based view that names one, filled by the walk over the URLconf.
VIEW_MODELS = {}


# --- the objects the pages are about ------------------------------------------------------

def model_factories():
    """Each factory of ``tests/factories.py``, by the model it makes (the first one wins)."""
    found = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
            model = value._meta.model
            if isinstance(model, type):
                found.setdefault(model, value)
    return found


def first_row(model):
    """The model's first row, made by its factory if there is none; None if it cannot be."""
    row = model._default_manager.order_by("pk").first()
    if row is not None:
        return row
    maker = model_factories().get(model)
    if maker is None:
        return None
    try:
        with transaction.atomic():
            return maker()
    except Exception:  # noqa: BLE001 - a factory that needs more than defaults: no such page
        return None


def admin_model(name):
    """The model whose admin URL ``name`` is (``admin:purchases_purchase_change``)."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def words(name):
    return set(re.split(r"[_:]", name)) - {"", "detail", "update", "create", "delete"}


def candidate_models(name, parameter):
    """The models a parameter of the URL ``name`` may point to, likeliest first: the admin's
    model; else the URL's app's models named like the parameter's prefix (``invitation_pk``)
    or a word of the URL's name (``purchases:purchase_detail``), then any with that field."""
    if name.startswith("admin:"):
        return [admin_model(name)] if admin_model(name) else []
    try:
        models = list(apps.get_app_config(name.split(":")[0]).get_models())
    except LookupError:
        return []
    hints = [parameter.removesuffix("_pk")] if parameter.endswith("_pk") else []
    hints += sorted(words(name.split(":")[-1]), key=len, reverse=True)
    ranked = [VIEW_MODELS[name]] if name in VIEW_MODELS and parameter in ("pk", "slug") else []
    for hint in (hint.replace("_", "") for hint in hints):
        ranked += [model for model in models if model._meta.model_name == hint]
        ranked += [model for model in models if model._meta.model_name.endswith(hint)]
        ranked += [model for model in models if model._meta.model_name.startswith(hint)]
        ranked += [model for model in models if hint in model._meta.model_name]
    if not parameter.endswith("pk"):
        ranked = [model for model in ranked if has_field(model, parameter)]
        ranked += [model for model in models if has_field(model, parameter)]
    # An enterprise's slug or id in another app's URL (/enterprise/<pk>/profile/).
    ranked += [Enterprise] if parameter == "pk" or has_field(Enterprise, parameter) else []
    return list(dict.fromkeys(ranked))


def field_for(model, parameter):
    """The model's field that a URL parameter names: itself, or one ending with it
    (``share_token`` for ``token``); None if there is none."""
    names = [field.name for field in model._meta.fields]
    if parameter in names:
        return parameter
    return next((name for name in names if name.endswith(f"_{parameter}")), None)


def has_field(model, name):
    return field_for(model, name) is not None


def row_of(app_label, model_name):
    try:
        return first_row(apps.get_model(app_label, model_name))
    except LookupError:
        return None


def app_token(module, maker, *arguments):
    """A token made by the app's own function (None when the app has renamed it)."""
    try:
        return getattr(import_module(module), maker)(*arguments)
    except (ImportError, AttributeError):
        return None


def procurement_token(purpose, row):
    try:
        links = import_module("procurement.links")
        return links.make_token(getattr(links, purpose), row.pk) if row else None
    except (ImportError, AttributeError):
        return None


def signed_link_arguments(name):
    """Links that an app signs rather than stores: its own function makes the token."""
    if name in ("procurement:respond", "procurement:respond_attachment"):
        token = procurement_token("RESPOND", row_of("procurement", "quoteinvitation"))
    elif name == "procurement:buyer_confirm":
        token = procurement_token("CONFIRM_BUYER", row_of("procurement", "buyerprofile"))
    elif name == "procurement:preferences":
        token = procurement_token("PREFERENCES", first_row(Enterprise))
    elif name in ("enterprise_accounts:claim_link", "enterprise_accounts:welcome"):
        claim = row_of("enterprise_accounts", "claim")
        maker = "link_token" if name.endswith("claim_link") else "welcome_token"
        token = claim and app_token("enterprise_accounts.claims", maker, claim)
    else:
        return None
    return {"token": token} if token else None


def special_arguments(name, world):
    """URLs whose arguments are not a row's field."""
    if name in world["urls"]:
        return world["urls"][name]
    if name.startswith("enterprise_accounts:") and portal_page(name):
        return {"pk": world["portal_enterprise"].pk}
    if "own_urls" not in world:
        world["own_urls"] = own_urls()
    if name in world["own_urls"]:
        return world["own_urls"][name]
    signed = signed_link_arguments(name)
    if signed is not None:
        return signed
    if name.endswith("password_reset_confirm"):
        user = world["member"]
        return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user)}
    if name == "admin:app_list":
        return {"app_label": "enterprises"}
    if name == "admin:enterprises_importrun_export":
        return {"export_format": "csv"}
    if name.endswith("_simple_history"):
        model = admin_model(name)
        row = first_row(model)
        if row is None:
            return None
        if not row.history.exists():  # reference rows loaded by a migration have none
            row.save()
        return {"object_id": row.pk, "version_id": row.history.order_by("pk").first().pk}
    return None


def portal_page(name):
    """Whether ``name`` is a page of an enterprise's portal (``/enterprise/<pk>/…``), which
    only the enterprise's own people may open."""
    from enterprise_accounts.views import PortalMixin

    try:
        view = resolve(reverse(name, kwargs={"pk": 1})).func.view_class
    except Exception:  # noqa: BLE001 - a URL with other arguments is not a portal page
        return False
    return issubclass(view, PortalMixin)


def own_urls():
    """The arguments of each URL that a row gives as its own address (``get_absolute_url``):
    a shared shortlist's link holds its sharing token, whatever the field is called."""
    found = {}
    for model in apps.get_models():
        if not hasattr(model, "get_absolute_url"):
            continue
        row = model._default_manager.order_by("pk").first()
        try:
            match = resolve(row.get_absolute_url()) if row is not None else None
        except Exception:  # noqa: BLE001 - an address that needs more than the row: skipped
            continue
        if match is not None and match.kwargs and match.view_name not in found:
            found[match.view_name] = dict(match.kwargs)
    return found


def arguments(name, parameters, positional, world):
    """The arguments (by name) that reverse ``name`` to a page about an existing row, or
    None when there is none to show or the walk cannot tell what the arguments are."""
    special = special_arguments(name, world)
    if special is not None:
        return special
    if not parameters:
        return None if positional else {}
    values = {}
    owner = None
    for parameter in parameters:
        by_pk = parameter in ("pk", "object_id") or parameter.endswith("_pk")
        for model in candidate_models(name, parameter):
            field = "pk" if by_pk else field_for(model, parameter)
            row = first_row(model)
            if owner is not None and row is not None:  # a row of the first (its entry)
                related = [f.name for f in model._meta.fields
                           if f.many_to_one and isinstance(owner, f.related_model)]
                if related:
                    rows = model._default_manager.order_by("pk")
                    row = rows.filter(**{related[0]: owner}).first() or row
            if row is not None and getattr(row, field, None) not in (None, ""):
                values[parameter] = getattr(row, field)
                owner = owner or row
                break
        else:
            return None
    return values


@pytest.fixture
def world(db):
    """One of each thing a page shows, owned by the walk's users where a page shows only its
    owner's rows: the member's organization owns the purchases (a draft first, so that its
    edit page opens), the member keeps a shortlist and a request for quotes, an enterprise
    account runs its portal, and the import steps have a stored file to show."""
    member = factories.UserFactory(username="contributor")
    manager = factories.UserFactory(username="manager")
    membership = factories.MembershipFactory(user=member, role=Membership.Role.CONTRIBUTOR)
    factories.MembershipFactory(
        user=manager, organization=membership.organization, role=Membership.Role.MANAGER
    )
    factories.PurchaseFactory(organization=membership.organization, status=Purchase.Status.DRAFT)
    purchase = factories.PurchaseFactory(
        organization=membership.organization, status=Purchase.Status.VALIDATED
    )
    purchase.enterprise.status = Enterprise.Status.PUBLISHED
    purchase.enterprise.save()  # a second history record for the history pages
    shortlist = factories.ShortlistFactory(owner=member)
    factories.ShortlistEntryFactory(shortlist=shortlist)
    factories.QuoteInvitationFactory(request=factories.QuoteRequestFactory(buyer=member))
    factories.MeetingFactory(event=factories.EventFactory(schedule_published=True))
    portal = factories.EnterpriseMembershipFactory(
        user=factories.UserFactory(username="enterprise-owner"), enterprise=purchase.enterprise
    )
    staff = factories.UserFactory(username="staff-curator", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    superuser = factories.StaffFactory(username="superuser")
    import_urls, file_headers = import_steps(superuser)
    urls = {
        "purchases:upload_status": {"token": start_job(
            membership, "uploads/walk.csv", "achats.csv", dry_run=True, language="fr"
        )},
        # The member's own shortlist: guessed from its number, another table's row of the same
        # number would be taken once PostgreSQL's sequences have moved past other tests' rows.
        "procurement:request_create": {"pk": shortlist.pk},
        **import_urls,
    }
    for model in model_factories():
        first_row(model)
    return {"member": member, "manager": manager, "staff": staff, "superuser": superuser,
            "enterprise": portal.user, "anonymous": None, "portal_enterprise": portal.enterprise,
            "urls": urls, "file_headers": file_headers}


def import_steps(superuser):
    """The import's columns step (a stored file whose columns wait to be chosen) and its
    values step (a preview whose values wait to be mapped, shown on the run's page); and the
    files' column headers, the networks' own words like the rows' (see ``user_data``)."""
    client = Client()
    client.force_login(superuser)
    runs = {}
    for network, sample in (("cesim", "cesim.csv"), ("cqea", "cqea.json")):
        client.post(reverse("admin:enterprises_importrun_upload"), {
            "network": Network.objects.get(slug=network).pk,
            "file": SimpleUploadedFile(sample, (IMPORT_SAMPLES / sample).read_bytes()),
        })
        runs[network] = ImportRun.objects.latest("pk")
    forms = {
        network: client.get(reverse("admin:enterprises_importrun_columns", args=[run.pk]))
        .context["form"] for network, run in runs.items()
    }
    headers = {str(form[name].label) for form in forms.values() for name in form.fields}
    client.post(reverse("admin:enterprises_importrun_columns", args=[runs["cqea"].pk]),
                {name: forms["cqea"][name].initial for name in forms["cqea"].fields})
    urls = {
        "admin:enterprises_importrun_columns": {"pk": runs["cesim"].pk},
        "admin:enterprises_importrun_change": {"object_id": ImportRun.objects.latest("pk").pk},
    }
    return urls, headers


# Not pages: machine-readable files, a redirect to the public site, the JSON API.
SKIPPED = ("sitemap", "healthz", "robots", "api:", "admin:view_on_site", "admin:jsi18n")


def project_admin_url(name):
    """Whether an admin URL is one of the site's or Django's own (index, login, password),
    rather than a library's models (axes' attempts, the task results)."""
    model = admin_model(name)
    if model is None:
        return True
    path = Path(apps.get_app_config(model._meta.app_label).path)
    return model._meta.app_label == "auth" or (
        path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts
    )


def site_paths(world, role, language):
    """Every page of the site that ``role`` may open, in ``language``; and the URL names that
    could not be built (no row to show)."""
    paths, unbuilt = [], []
    for name, parameters, positional in sorted(set(every_named_pattern())):
        if "logout" in name or name.startswith(SKIPPED):
            continue
        if name.startswith("admin:") and not project_admin_url(name):
            continue
        staff_only = name.startswith("admin:") and name != "admin:login"
        if staff_only and role not in ("staff", "superuser"):
            continue
        kwargs = arguments(name, parameters, positional, world)
        if kwargs is None:
            unbuilt.append(name)
            continue
        with translation.override(language):
            if positional:
                paths.append((name, reverse(name, args=list(kwargs.values()))))
            else:
                paths.append((name, reverse(name, kwargs=kwargs)))
    return paths, unbuilt


# --- what a reader sees -------------------------------------------------------------------

class ReadText(HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, and the attributes
    read aloud or shown on hover. A text area's content is what someone typed, not the site's."""

    HIDDEN = {"script", "style", "template", "svg", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        attributes = dict(attrs)
        self.parts += [value for key, value in attrs if key in READ_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def read_text(html, user_data):
    parser = ReadText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    # A NUL, not a space: it parts words as a space does, but a value cut out before a colon
    # ("telephone:" less a row's "phone") must not leave "tele :" for the typography checks.
    for value in sorted(user_data, key=len, reverse=True):
        text = text.replace(value, "\0")
    return text


def whole_word(word):
    return re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])")


FRENCH_WORDS = [(word, whole_word(word)) for word in FRENCH_ONLY]
ENGLISH_WORDS = [(word, whole_word(word)) for word in ENGLISH_ONLY]


def typography_patterns(language, colons=True):
    if language == "en":
        return [FRENCH_TYPOGRAPHY]
    return [ENGLISH_TYPOGRAPHY, ENGLISH_COLON] if colons else [ENGLISH_TYPOGRAPHY]


def other_language_found(text, language, colons=True):
    """What in ``text`` belongs to the other language: words, then typography (on a French
    page, label colons too unless ``colons`` is false)."""
    words = FRENCH_WORDS if language == "en" else ENGLISH_WORDS
    found = [word for word, pattern in words if pattern.search(text)]
    found += [f"typography {match.group()!r}"
              for pattern in typography_patterns(language, colons)
              for match in pattern.finditer(text)]
    return sorted(set(found))


def where(text, language, colons=True):
    """Each finding with the words around it, so that a failure says which string to fix."""
    patterns = (FRENCH_WORDS if language == "en" else ENGLISH_WORDS) + [
        ("typography", pattern) for pattern in typography_patterns(language, colons)
    ]
    snippets = []
    for _word, pattern in patterns:
        for match in pattern.finditer(text):
            around = text[max(match.start() - 30, 0):match.end() + 30]
            snippets.append(" ".join(around.split()))
    return sorted(set(snippets))


def user_data():
    """What the rows themselves say (enterprise names and descriptions, the reference lists'
    names in both languages that the admin edits side by side, a mail's subject): the words
    of the people who wrote them, in whatever language, not the site's. Short values (codes)
    are kept, so that removing them cannot cut a word of the page in two."""
    values = set()
    for model in apps.get_models():
        if not project_admin_url(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            continue
        if not model._meta.managed:  # the search index: its columns differ by database
            continue
        fields = [field.attname for field in model._meta.concrete_fields
                  if isinstance(field, (CharField, TextField)) and not field.choices]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in (value for value in row if isinstance(value, str)):
                # A long text is shown paragraph by paragraph, without its markup.
                lines = [line.strip().lstrip("#-*> ").strip() for line in value.splitlines()]
                values.update(text for text in [value, *lines] if len(text) >= 4)
    return values


# --- the tests ----------------------------------------------------------------------------

def test_the_catalogue_translates_every_message_and_holds_none_fuzzy():
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, abort_invalid=True)
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [], f"{len(untranslated)} messages without French"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy messages"


# A breakable space where French wants U+00A0: before : ; ! ? » or a percent sign (a literal
# "%%" or "%" that is not a placeholder), after «.
FRENCH_BREAKABLE_SPACE = re.compile(r"[ \u202f](?=[:;!?»]|%%|%(?![(a-zA-Z]))|«[ \u202f]")


def test_french_messages_keep_their_signs_with_their_words():
    """« Brouillon : 9 » must never break before its colon at the end of a line."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    breakable = [
        message.id for message in catalogue if message.id and any(
            FRENCH_BREAKABLE_SPACE.search(text)
            for text in (message.string if isinstance(message.string, tuple)
                         else (message.string,))
            if text
        )
    ]
    assert breakable == [], f"{len(breakable)} French messages with a breakable space"


def test_the_compiled_catalogue_is_the_one_in_use():
    """compilemessages ran (scripts/test does it): a message only the project translates."""
    with translation.override("fr"):
        assert translation.pgettext("history column", "Changes") == "Modifications"


# How many pages and downloads of each part of the site (the URL's namespace) each role must
# read with a 200 in either language: a page whose rows the walk stops making, or that starts
# refusing its readers, lowers a count and fails the walk instead of silently leaving it.
READ_AT_LEAST = {
    "anonymous": {"admin": 1, "enterprise_accounts": 4, "enterprises": 8, "events": 5,
                  "procurement": 5, "programs": 5, "purchases": 9},
    "member": {"admin": 1, "enterprise_accounts": 5, "enterprises": 8, "events": 5,
               "procurement": 12, "programs": 5, "purchases": 17},
    "manager": {"admin": 1, "enterprise_accounts": 5, "enterprises": 8, "events": 5,
                "procurement": 8, "programs": 5, "purchases": 18},
    "staff": {"admin": 143, "enterprise_accounts": 5, "enterprises": 8, "events": 5,
              "procurement": 5, "programs": 5, "purchases": 8},
    "superuser": {"admin": 218, "enterprise_accounts": 5, "enterprises": 8, "events": 5,
                  "procurement": 5, "programs": 5, "purchases": 8},
    "enterprise": {"admin": 1, "enterprise_accounts": 10, "enterprises": 8, "events": 5,
                   "procurement": 5, "programs": 5, "purchases": 8},
}
# Downloads whose header row is the import's canonical field names, read back by the import
# whatever the language: not words for a reader.
CANONICAL_DOWNLOADS = ("admin:enterprises_importrun_export",)
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def catalogue_strings():
    """The site's English messages and their French translations, where the two differ:
    a spreadsheet's header found among the other language's strings was left untranslated."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source)
    english, french = set(), set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            if msgid and msgstr and msgid != msgstr:
                english.add(msgid)
                french.add(msgstr)
    return {"en": french, "fr": english}


def download_headers(response):
    """The first row of a CSV download, or of each sheet of an XLSX one."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith(CSV_TYPE):
        return next(csv.reader(io.StringIO(content.decode("utf-8-sig"))), [])
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [str(cell) for sheet in workbook.worksheets
            for row in sheet.iter_rows(max_row=1, values_only=True) for cell in row if cell]


def downloads_of(client, path):
    """A download and, when the view offers one, its XLSX twin (``?format=xlsx``)."""
    responses = [client.get(path, secure=True)]
    if "?" not in path:
        xlsx = client.get(path, {"format": "xlsx"}, secure=True)
        if xlsx.status_code == 200 and xlsx["Content-Type"].startswith(XLSX_TYPE):
            responses.append(xlsx)
    return responses


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_only_its_language(world, role, language):
    client = Client(raise_request_exception=False)  # a server error is a finding, not a stop
    if world[role] is not None:
        client.force_login(world[role])
    excluded = user_data() | world["file_headers"]
    other_strings = catalogue_strings()[language]
    paths, _unbuilt = site_paths(world, role, language)
    problems, errors, read = [], [], Counter()
    for name, path in paths:
        # The reset link trades its token for a session and sends the reader to the form.
        response = client.get(path, secure=True, follow=name.endswith("password_reset_confirm"))
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {path} ({name})")
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith((CSV_TYPE, XLSX_TYPE)):
            for download in downloads_of(client, path) if name not in CANONICAL_DOWNLOADS else []:
                untranslated = [cell for cell in download_headers(download)
                                if cell in other_strings]
                if untranslated:
                    problems.append(f"{path} ({name}) {download['Content-Type']}: "
                                    + " | ".join(untranslated))
            read[name.split(":")[0]] += 1
            continue
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        read[name.split(":")[0]] += 1
        text = read_text(response.content.decode(), excluded)
        colons = not name.endswith(COLON_UNCHECKED)
        if other_language_found(text, language, colons):
            problems.append(f"{path} ({name}): " + " | ".join(where(text, language, colons)))
    too_few = {group: f"{read[group]} < {count}"
               for group, count in READ_AT_LEAST[role].items() if read[group] < count}
    report = [*errors, f"{len(problems)} pages in {language} as {role}:", *problems]
    assert not too_few, f"pages the walk no longer reads, by part of the site: {too_few}"
    assert not errors and not problems, "\n".join(report)


def test_the_walk_builds_a_url_for_every_page_that_takes_arguments(world):
    """A URL the walk cannot build is a page it never reads: each one must have a row to
    show, or be named here with the reason."""
    _paths, unbuilt = site_paths(world, "superuser", "en")
    assert unbuilt == [], "\n".join(unbuilt)


def test_the_walk_reads_the_admin_history_and_import_pages(world):
    names = {name for name, _path in site_paths(world, "superuser", "fr")[0]}
    assert {
        "admin:enterprises_enterprise_history",
        "admin:enterprises_enterprise_simple_history",
        "admin:purchases_purchase_changelist",
        "admin:enterprises_importrun_changelist",
        "purchases:purchase_detail",
        "enterprises:detail",
    } <= names


# Pages that only their owner, or a row in a given state, opens: the walk once missed them all.
OWNED_PAGES = [
    ("superuser", "admin:enterprises_importrun_columns", 'name="column_0"'),
    ("superuser", "admin:enterprises_importrun_change", 'name="value_0"'),  # the values step
    ("member", "purchases:purchase_update", 'name="amount"'),
    ("member", "purchases:upload_status", "<h1"),
    ("member", "purchases:password_reset_confirm", 'name="new_password1"'),
    ("member", "procurement:request_detail", "<h1"),
    ("member", "procurement:shortlist_detail", "<h1"),
    ("enterprise", "enterprise_accounts:profile", "<form"),
    ("enterprise", "enterprise_accounts:team", "<h1"),
    ("anonymous", "events:schedule", "<h1"),
]


def test_the_walk_opens_the_pages_that_only_their_owner_sees(world):
    opened = []
    for role, name, mark in OWNED_PAGES:
        client = Client()
        if world[role] is not None:
            client.force_login(world[role])
        path = dict(site_paths(world, role, "en")[0]).get(name)
        response = client.get(path, secure=True, follow=True) if path else None
        if response is not None and response.status_code == 200 and mark in response.text:
            opened.append(name)
    assert opened == [name for _role, name, _mark in OWNED_PAGES]


@pytest.mark.parametrize(("language", "text", "found"), [
    ("en", "Draft : 9", ["typography 't :'"]),
    ("en", "100 % of the target", ["typography '0 %'"]),
    ("en", "380,734 $", ["typography '4 $'"]),
    ("en", "« Quoted »", ["typography '«'", "typography '»'"]),
    ("en", "Draft: 9, 100% of the target, $380,734, “quoted”", []),
    ("en", "Rechercher", ["Rechercher"]),
    ("fr", "Brouillon\u00a0: 9, 100\u00a0%, 380\u00a0734\u00a0$", []),
    ("fr", "Exporter CSV / XLSX: CSV", ["typography 'X:'"]),
    ("fr", "Brouillon : 9", ["typography 'n :'"]),
    ("fr", "Ouvert de 9:30 à 17:00, https://exemple.org", []),
    ("fr", "Search the Drafts", ["Search"]),
    ("fr", "Total $380,734", ["typography '$3'"]),
    ("fr", "Sauvegarde de l'Emailerie", []),
])
def test_the_check_finds_the_other_languages_words_and_typography(language, text, found):
    assert other_language_found(text, language) == found


def test_enterprise_names_and_hidden_code_are_not_read():
    html = ('<p title="Accueil">Coopérative Search &amp; Save</p>'
            '<script>var Search = 1;</script><input type="submit" value="Enregistrer">')
    text = read_text(html, {"Coopérative Search & Save"})
    assert other_language_found(text, "en") == ["Accueil", "Enregistrer"]
