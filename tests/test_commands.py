import pytest
from django.core.management import get_commands, load_command_class

PROJECT_APPS = ("enterprises", "purchases", "programs", "events", "ecpar_site")
PROJECT_COMMANDS = sorted(
    (name, app) for name, app in get_commands().items() if app in PROJECT_APPS
)


def test_the_project_has_commands_to_check():
    assert {"import_directory", "seed_demo", "benchmark_import"} <= {
        name for name, _app in PROJECT_COMMANDS
    }


@pytest.mark.parametrize(("name", "app"), PROJECT_COMMANDS)
def test_every_command_prints_its_help(name, app):
    """``manage.py <command> --help`` describes the command instead of crashing."""
    command = load_command_class(app, name)
    parser = command.create_parser("manage.py", name)

    text = parser.format_help()

    assert name in text
    assert len(text.splitlines()) > 3
