from django.conf import settings

CLINIC_SETTINGS = (
    "CLINIC_NAME",
    "CLINIC_PHONE",
    "CLINIC_HOURS",
    "CRISIS_LINE",
    "CRISIS_LINE_NAME",
    "EMERGENCY_NUMBER",
    "CRISIS_CHAT_URL",
)


def clinic_settings() -> dict:
    return {name: getattr(settings, name) for name in CLINIC_SETTINGS}


def clinic(request):
    """The clinic's contact details and crisis numbers, as `clinic` in every template."""
    return {"clinic": clinic_settings()}
