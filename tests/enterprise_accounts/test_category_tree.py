"""The portal's products and services: the category tree, each category under its parent,
in the page's language and order; what is checked stays checked."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from enterprises.models import Category
from tests.factories import EnterpriseMembershipFactory

pytestmark = pytest.mark.django_db


class TreeReader(HTMLParser):
    """``{label: (labels of the categories it sits under, checked)}`` of the tree's items,
    and the labels in the page's order."""

    def __init__(self):
        super().__init__()
        self.depth, self.path, self.items, self.order = 0, [], {}, []
        self.checked = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "id_categories":
            self.depth = 1
        elif self.depth and tag == "div":
            self.depth += 1
        elif self.depth and tag == "li":
            self.path.append("")
        elif self.depth and tag == "input":
            self.checked = "checked" in attrs

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        elif self.depth and tag == "li":
            self.path.pop()

    def handle_data(self, data):
        if self.depth and self.path and not self.path[-1] and data.strip():
            self.path[-1] = data.strip()
            self.items[data.strip()] = (tuple(self.path[:-1]), self.checked)
            self.order.append(data.strip())


def tree_of(client, enterprise, language):
    with translation.override(language):
        url = reverse("enterprise_accounts:profile", args=[enterprise.pk])
    reader = TreeReader()
    reader.feed(client.get(url).content.decode())
    return reader


@pytest.fixture
def membership(client):
    membership = EnterpriseMembershipFactory()
    membership.enterprise.categories.set([Category.objects.get(slug="traiteur")])
    client.force_login(membership.user)
    return membership


def test_each_category_sits_under_its_parent_in_the_page_language(client, membership):
    french = tree_of(client, membership.enterprise, "fr")
    english = tree_of(client, membership.enterprise, "en")

    assert french.items["Traiteur et buffets"] == (("Alimentation et restauration",), True)
    assert french.items["Alimentation et restauration"] == ((), False)
    assert english.items["Catering and buffets"] == (("Food and catering",), True)
    # Every category once, siblings in dictionary order (« Événements » among the E).
    assert len(french.items) == len(french.order) == Category.objects.count()
    roots = [label for label in french.order if not french.items[label][0]]
    assert roots.index("Environnement et matières résiduelles") < roots.index(
        "Événements, culture et loisirs") < roots.index("Impression et communications")


def test_the_tree_is_saved_as_the_checked_categories(client, membership):
    lunches = Category.objects.get(slug="boites-a-lunch")
    enterprise = membership.enterprise
    client.post(reverse("enterprise_accounts:profile", args=[enterprise.pk]), {
        "categories": [lunches.pk], "employee_band": enterprise.employee_band,
    })
    assert list(enterprise.categories.all()) == [lunches]
    assert tree_of(client, enterprise, "fr").items["Boîtes à lunch"][1] is True
