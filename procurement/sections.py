"""What the procurement app adds to the directory's pages: a "save to a shortlist" link on
each result card and on each enterprise page, the same for every visitor (both are cached)."""

from enterprises.sections import CARD_ACTIONS, ENTERPRISE_PAGE, register_section


def no_context(enterprise, request):
    return None


def register():
    """Called from ``ProcurementConfig.ready()``."""
    register_section(
        CARD_ACTIONS, "shortlist", "procurement/includes/card_action.html", no_context, order=10
    )
    register_section(
        ENTERPRISE_PAGE, "shortlist", "procurement/includes/enterprise_action.html", no_context,
        order=5,
    )
