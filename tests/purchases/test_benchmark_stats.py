"""benchmark_stats times the member dashboard and the admin index beside the repertory."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import PurchaseFactory

pytestmark = pytest.mark.django_db


def test_benchmark_prints_the_dashboard_and_admin_index_figures_and_leaves_no_account(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    PurchaseFactory()
    output = io.StringIO()
    call_command("benchmark_stats", "--requests", "2", stdout=output)
    lines = output.getvalue().splitlines()
    timed = [line for line in lines if re.search(r"median +[\d.]+ ms +p95 +[\d.]+ ms", line)]
    assert any(line.startswith("Accueil de l’administration") and "/admin/" in line
               for line in timed)
    assert sum(line.endswith("/membres/") for line in timed) == 2
    assert any(line.startswith("Connexion (vérification du mot de passe)") for line in lines)
    assert not get_user_model().objects.filter(username="benchmark-stats").exists()
