"""Django's admin autodiscovery imports this module: it imports the staff room's modules that
register models on the staff site (intake/staff/)."""

from .staff import alert_list, audit_trail, auth_events, catalog, setup_links, submissions  # noqa: F401
