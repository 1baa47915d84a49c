"""Backup and restore: a dump loaded into an empty database gives back every row and the logins.

docs/deployment.md gives the pg_dump/pg_restore recipe for production; this is the portable
`dumpdata`/`loaddata` path, restored by a separate process into a database of its own.
"""

import json
import os
import subprocess
import sys
from collections import Counter

import factory
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command

from enterprises.models import Label, Network
from purchases.models import Purchase
from tests.factories import (
    EnterpriseFactory,
    EnterpriseLabelFactory,
    EnterpriseSourceFactory,
    GroupFactory,
    MembershipFactory,
    PurchaseFactory,
    StaffFactory,
)

# Rebuilt by every migrate (content types, permissions), short-lived (sessions), or derived
# from the enterprises and rebuilt by the search index's post_migrate (search documents).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "enterprises.SearchDocument"]

PASSWORD = "correct horse battery staple"

RESTORE = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse

dump, labels, password = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
call_command("migrate", verbosity=0)
call_command("flush", interactive=False, verbosity=0)
call_command("loaddata", dump, verbosity=0)
counts = {label: apps.get_model(label)._default_manager.count() for label in labels}
setup_test_environment()
client = Client()
response = client.post(
    reverse("purchases:login"), {"username": "tresoriere", "password": password}
)
print(json.dumps({
    "counts": counts,
    "login": response.status_code,
    "dashboard": client.get(reverse("purchases:dashboard")).status_code,
}))
"""


@pytest.fixture
def everything(db):
    """Rows in every table a member or a curator fills, beside the reference data."""
    membership = MembershipFactory(user__username="tresoriere")
    EnterpriseLabelFactory.create_batch(3, label=factory.Iterator(Label.objects.all()))
    EnterpriseSourceFactory.create_batch(2, network=factory.Iterator(Network.objects.all()))
    PurchaseFactory.create_batch(
        4,
        organization=membership.organization,
        enterprise=factory.Iterator([*EnterpriseFactory.create_batch(2), None]),
        supplier_name="Traiteur du quartier",
        status=factory.Iterator([Purchase.Status.VALIDATED, Purchase.Status.DRAFT]),
    )
    curators = GroupFactory(name="Curateurs")
    curators.permissions.set(Permission.objects.filter(content_type__app_label="enterprises"))
    StaffFactory(username="curator").groups.add(curators)


def test_a_dump_restored_into_an_empty_database_gives_every_row_and_login_back(
    everything, tmp_path
):
    dump = tmp_path / "backup.json"
    call_command(
        "dumpdata", exclude=EXCLUDED, natural_foreign=True, output=str(dump), verbosity=0
    )
    dumped = Counter(row["model"] for row in json.loads(dump.read_text()))
    assert dumped["purchases.purchase"] == 4
    assert dumped["auth.user"] == 2

    result = subprocess.run(
        [sys.executable, "-c", RESTORE, str(dump), json.dumps(sorted(dumped)), PASSWORD],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    restored = json.loads(result.stdout.splitlines()[-1])
    assert restored["counts"] == dict(dumped)
    assert (restored["login"], restored["dashboard"]) == (302, 200)
