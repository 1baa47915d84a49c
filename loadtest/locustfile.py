"""Load test: buyers browse the directory and the repertory, members record purchases, and
(``scripts/loadtest --hostile``) other members upload files built to exhaust the reader.

Run it through scripts/loadtest, which starts the production-like server, creates the member
logins and checks the purchases afterwards; or alone against a running server:

    PYTHONPATH=. .venv/bin/locust -f loadtest/locustfile.py --host http://127.0.0.1:8000 \\
        --headless -u 50 -r 10 --run-time 2m Buyer Member

LOAD_MEMBERS (default 50) is how many logins `manage.py create_load_logins` made. Members' and
hostile members' requests are named « member: … » and « hostile: … »; the others are buyers'.
"""

import datetime
import os
import random
import re

import requests
from locust import HttpUser, between, events, task

from enterprises.imports import hostile

PASSWORD = "demo-demo-demo"
LOGIN_PATTERN = "charge-{number:03d}@example.org"
MEMBERS = int(os.environ.get("LOAD_MEMBERS", "50"))

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORY_SELECT = re.compile(r'<select name="category".*?</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')
PURCHASE_URL = re.compile(r"/membres/achats/(\d+)/$")

LEGAL_FORMS = ["cooperative", "solidarity_cooperative", "worker_cooperative", "non_profit",
               "mutual"]
SEARCH_WORDS = ["traiteur", "coopérative", "recyclage", "imprimerie", "entretien", "café",
                "formation", "vélo", "ménager", "informatique", "culture", "alimentation"]


class Reference:
    """Real slugs and codes from the site's own API, read once when the test starts."""

    regions = ["06"]
    categories = []
    sectors = []
    enterprises = []  # (slug, name)
    years = []


@events.test_start.add_listener
def read_reference(environment, **kwargs):
    api = f"{environment.host.rstrip('/')}/api"
    get = requests.Session().get
    Reference.regions = [region["code"] for region in get(f"{api}/regions/", timeout=30).json()]
    Reference.categories = [c["slug"] for c in get(f"{api}/categories/", timeout=30).json()]
    Reference.sectors = [s["slug"] for s in get(f"{api}/sectors/", timeout=30).json()]
    for page in (1, 2, 3, 50):
        listing = get(f"{api}/enterprises/", params={"per_page": 100, "page": page}, timeout=60)
        if listing.status_code == 200:
            Reference.enterprises += [(e["slug"], e["name"]) for e in listing.json()["results"]]
    this_year = datetime.date.today().year
    Reference.years = list(range(this_year - 4, this_year + 1))


@events.test_start.add_listener
def build_hostile_files(environment, **kwargs):
    """Built before any user starts: building them takes the load generator a few seconds of
    CPU, during which every simulated user's request would seem to wait."""
    if any(user_class is HostileMember for user_class in environment.user_classes):
        HostileMember.corpus = [(case, name, build()) for case, name, build in hostile.REFUSED]


def some(values, most=2):
    return random.sample(values, k=min(len(values), random.randint(1, most)))


class Buyer(HttpUser):
    """A buyer looking for a supplier, and the public looking at what members bought."""

    weight = 4
    wait_time = between(1, 4)

    @task(1)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def search(self):
        self.client.get("/repertoire/", params={"q": random.choice(SEARCH_WORDS)},
                        name="listing: search")

    @task(4)
    def filter(self):
        params = {"region": some(Reference.regions), "legal_form": some(LEGAL_FORMS, 1)}
        if Reference.categories and random.random() < 0.6:
            params["category"] = some(Reference.categories)
        if random.random() < 0.3:
            params["q"] = random.choice(SEARCH_WORDS)
        self.client.get("/repertoire/", params=params, name="listing: filters + facets")

    @task(1)
    def browse(self):
        """The unfiltered listing a few pages deep (a filtered one may have a single page)."""
        self.client.get("/repertoire/", params={"page": random.randint(1, 5)},
                        name="listing: pages")

    @task(4)
    def enterprise(self):
        if Reference.enterprises:
            slug, _name = random.choice(Reference.enterprises)
            self.client.get(f"/entreprises/{slug}/", name="enterprise page")

    @task(1)
    def category(self):
        if Reference.categories:
            self.client.get(f"/par-produit-et-service/{random.choice(Reference.categories)}/",
                            name="category page")

    @task(2)
    def repertory(self):
        params = {}
        if random.random() < 0.5:
            params["year"] = random.choice(Reference.years)
        if random.random() < 0.3:
            params["region"] = random.choice(Reference.regions)
        self.client.get("/achats/", params=params, name="repertory (statistics)")

    @task(1)
    def declaration(self):
        self.client.get("/jachete/", name="declaration signatories")

    @task(2)
    def api_listing(self):
        params = {"region": some(Reference.regions), "page": random.randint(1, 3)}
        if Reference.sectors and random.random() < 0.5:
            params["sector"] = random.choice(Reference.sectors)
        self.client.get("/api/enterprises/", params=params, name="api: listing")


def sign_in(user):
    """Sign a member in with one of the load test's logins."""
    email = LOGIN_PATTERN.format(number=random.randint(1, MEMBERS))
    form = user.client.get("/membres/connexion/", name="member: login form")
    with user.client.post(
        "/membres/connexion/",
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token(form)},
        name="member: login", catch_response=True,
    ) as response:
        if not response.url.rstrip("/").endswith("/membres"):
            response.failure(f"{email} was not signed in")


class Member(HttpUser):
    """A member organization's contributor: the dashboard, the list, now and then a purchase."""

    weight = 1
    wait_time = between(2, 6)

    def on_start(self):
        self.own_purchases = []
        sign_in(self)

    @task(4)
    def dashboard(self):
        self.client.get("/membres/", name="member: dashboard")

    @task(2)
    def purchase_list(self):
        self.client.get("/membres/achats/", name="member: purchase list")

    @task(1)
    def record_purchase(self):
        form = self.client.get("/membres/achats/ajouter/", name="member: purchase form")
        categories = category_ids(form.text or "")
        supplier = random.choice(Reference.enterprises)[1] if Reference.enterprises else ""
        data = {
            "csrfmiddlewaretoken": token(form),
            "supplier": supplier or "Traiteur du quartier",
            "enterprise": "",
            "category": random.choice(categories) if categories else "",
            "description": "Load test purchase",
            "amount": f"{random.randint(500, 150_000)}.00",
            "award_date": (datetime.date.today()
                           - datetime.timedelta(days=random.randint(0, 300))).isoformat(),
            "procurement_method": "direct",
            "consent_to_publish": "on",
        }
        with self.client.post("/membres/achats/ajouter/", data, name="member: record purchase",
                              catch_response=True) as response:
            match = PURCHASE_URL.search(response.url or "")
            if match is None:
                response.failure("the purchase was not saved")
                return
            self.own_purchases.append(match.group(1))

    @task(1)
    def submit_purchase(self):
        if not self.own_purchases:
            return
        pk = self.own_purchases.pop()
        page = self.client.get(f"/membres/achats/{pk}/", name="member: purchase page")
        self.client.post(f"/membres/achats/{pk}/soumettre/",
                         {"csrfmiddlewaretoken": token(page)}, name="member: submit purchase")


class HostileMember(HttpUser):
    """A member sending bombs, forged archives, endless lines and deep nesting, as a check
    only. Each must be refused (200 with a message, or 302 to its job's status page); past the
    upload rate, 429 is the expected answer, counted as « hostile: rate-limited (429) »."""

    weight = 1
    wait_time = between(1, 3)
    corpus = []

    def on_start(self):
        sign_in(self)

    @task
    def upload(self):
        case, name, data = random.choice(self.corpus)
        form = self.client.get("/membres/achats/importer/", name="hostile: upload form")
        with self.client.post(
            "/membres/achats/importer/",
            {"csrfmiddlewaretoken": token(form), "dry_run": "on"},
            files={"file": (name, data)}, name=f"hostile: {case}", allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 429:
                response.request_meta["name"] = "hostile: rate-limited (429)"
                response.success()
            elif response.status_code in (200, 302):
                response.success()
            else:
                response.failure(f"answered {response.status_code}")


def category_ids(html):
    select = CATEGORY_SELECT.search(html)
    return OPTION_VALUE.findall(select.group(0)) if select else []


def token(response):
    match = CSRF_TOKEN.search(response.text or "")
    return match.group(1) if match else ""
