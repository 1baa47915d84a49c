"""Imports point down only (docs: ../shared/design.md): the directory knows no other app of ours,
purchases know the directory only, programs and events know both. The modules are read, not
imported, so an import hidden in a function counts too."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {
    "ecpar_site", "enterprises", "purchases", "programs", "events", "enterprise_accounts",
    "procurement",
}
# What each app may import among the project's packages, besides itself.
ALLOWED = {
    "enterprises": set(),
    "purchases": {"enterprises"},
    "programs": {"enterprises", "purchases"},
    "events": {"enterprises", "purchases"},
    # The capabilities that serve several kinds of people sit above the directory and the portal.
    "enterprise_accounts": {"enterprises", "purchases"},
    "procurement": {"enterprises", "purchases"},
}


def imported_modules(path, module):
    """The absolute names of the modules that the file ``path`` (module ``module``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module


def forbidden_imports(root, app):
    """``(file, module)`` for each import of a project package that ``app`` may not use."""
    allowed = ALLOWED[app] | {app}
    found = []
    for path in sorted((root / app).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for name in imported_modules(path, module):
            top = name.split(".")[0]
            if top in PROJECT_PACKAGES and top not in allowed:
                found.append((str(path.relative_to(root)), name))
    return found


def forbidden_template_uses(root, app):
    """``(template, use)`` for each tag library, template or URL namespace of another app
    above it that the app's templates (``templates/<app>/``) load, include or reverse."""
    above = PROJECT_PACKAGES - ALLOWED[app] - {app, "ecpar_site"}
    libraries = {
        library.stem: owner
        for owner in above
        for library in (root / owner / "templatetags").glob("*.py")
        if library.stem != "__init__"
    }
    names = "|".join(sorted(above))
    templates = re.compile(r"{%\s*(?:include|extends)\s+[\"']((?:" + names + r")/[^\"']*)")
    urls = re.compile(r"{%\s*url\s+[\"']((?:" + names + r"):[^\"']*)")
    found = []
    for path in sorted((root / "templates" / app).rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        loads = [name for load in re.findall(r"{%\s*load\s+([^%]+)%}", text)
                 for name in load.split() if name in libraries]
        uses = [*loads, *templates.findall(text), *urls.findall(text)]
        found += [(str(path.relative_to(root)), use) for use in uses]
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    assert forbidden_imports(ROOT, app) == []


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_apps_templates_use_only_the_apps_below_it(app):
    assert forbidden_template_uses(ROOT, app) == []


def test_the_check_finds_imports_upward_hidden_in_functions_or_relative(tmp_path):
    (tmp_path / "enterprises" / "management").mkdir(parents=True)
    (tmp_path / "enterprises" / "__init__.py").write_text("")
    (tmp_path / "enterprises" / "views.py").write_text(
        "from .models import Enterprise\n"
        "def page():\n"
        "    from purchases.models import Purchase\n"
    )
    (tmp_path / "enterprises" / "management" / "__init__.py").write_text(
        "import ecpar_site.gunicorn\nfrom .. import models\n"
    )
    (tmp_path / "purchases").mkdir()
    (tmp_path / "purchases" / "sections.py").write_text(
        "from enterprises.sections import register_section\nfrom programs import models\n"
    )

    assert forbidden_imports(tmp_path, "enterprises") == [
        ("enterprises/management/__init__.py", "ecpar_site.gunicorn"),
        ("enterprises/views.py", "purchases.models"),
    ]
    assert forbidden_imports(tmp_path, "purchases") == [("purchases/sections.py", "programs")]


def test_the_check_finds_templates_that_reach_an_app_above(tmp_path):
    (tmp_path / "programs" / "templatetags").mkdir(parents=True)
    (tmp_path / "programs" / "templatetags" / "programs_tags.py").write_text("")
    (tmp_path / "templates" / "enterprises").mkdir(parents=True)
    (tmp_path / "templates" / "enterprises" / "home.html").write_text(
        '{% load i18n programs_tags %}{% include "events/includes/upcoming_events.html" %}'
        "<a href=\"{% url 'purchases:repertory' %}\">{% include \"includes/facet.html\" %}"
    )

    assert forbidden_template_uses(tmp_path, "enterprises") == [
        ("templates/enterprises/home.html", "programs_tags"),
        ("templates/enterprises/home.html", "events/includes/upcoming_events.html"),
        ("templates/enterprises/home.html", "purchases:repertory"),
    ]
