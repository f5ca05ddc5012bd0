"""System checks for `manage.py check --deploy`: the safety alerts must be able to reach staff.

Production settings already refuse to start without these (settings.py); the checks say the
same to anyone running the deploy check against development settings.
"""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def alerts_configured(app_configs=None, **kwargs):
    problems = []
    if not settings.CLINIC_ALERT_EMAILS:
        problems.append(checks.Error(
            "CLINIC_ALERT_EMAILS is empty: nobody would be told about urgent intakes.",
            hint="Set CLINIC_ALERT_EMAILS to the clinic's duty addresses.", id="intake.E001"))
    if not settings.SITE_URL.startswith("https://"):
        problems.append(checks.Error(
            "SITE_URL is not an https:// address: alert e-mails would carry no working link.",
            hint="Set SITE_URL to the site's public https:// address.", id="intake.E002"))
    return problems
