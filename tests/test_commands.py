from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands, load_command_class

# The project's own apps are the installed apps whose package sits at the top of the
# checkout: read from the registry so that a new app's commands are checked without
# anyone remembering to list it (the virtualenv's packages live deeper down).
PROJECT_APPS = {
    config.name for config in apps.get_app_configs()
    if Path(config.path).parent == Path(settings.BASE_DIR)
}
PROJECT_COMMANDS = sorted(
    (name, app) for name, app in get_commands().items() if app in PROJECT_APPS
)


def test_every_app_of_the_project_is_found():
    assert {"enterprises", "purchases", "programs", "events", "enterprise_accounts",
            "procurement"} <= PROJECT_APPS


def test_the_project_has_commands_to_check():
    assert {"import_directory", "seed_demo", "benchmark_import",
            "send_profile_reminders"} <= {name for name, _app in PROJECT_COMMANDS}


@pytest.mark.parametrize(("name", "app"), PROJECT_COMMANDS)
def test_every_command_prints_its_help(name, app):
    """``manage.py <command> --help`` describes the command instead of crashing."""
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)

    text = parser.format_help()

    assert name in text
    assert len(text.splitlines()) > 3
