"""The medication catalog the medicine questions offer (loaded by `manage.py load_catalog`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Medication(models.Model):
    """One entry of the medication catalog, seeded from intake/data/medications.csv and edited by
    clinic staff in the admin."""

    class Role(models.TextChoices):
        ANTIDEPRESSANT = "antidepressant", _("Antidepressant")
        AUGMENTATION = "augmentation", _("Augmentation agent")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    generic_name = models.CharField(_("generic name"), max_length=128)
    brand_names = models.CharField(
        _("brand names"), max_length=255, blank=True, help_text=_('Separated by "; ".')
    )
    drug_class = models.CharField(_("drug class"), max_length=128)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # mg with 4 decimals: a thyroid hormone's minimum is micrograms (25 mcg = 0.025 mg)
    min_adequate_mg_per_day = models.DecimalField(
        _("minimum adequate dose (mg/day)"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Leave empty when no minimum adequate dose is established."),
    )
    usual_max_mg_per_day = models.DecimalField(
        _("usual maximum dose (mg/day)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    min_dose_source = models.CharField(_("source of the minimum dose"), max_length=255, blank=True)
    dose_unit = models.CharField(
        _("dose unit"), max_length=4, choices=[("mg", "mg"), ("mcg", "mcg")], default="mg",
        help_text=_("The unit patients are asked the dose in (the dose columns stay in mg)."))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive medications are hidden from patients.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["generic_name"]
        verbose_name = _("medication")
        verbose_name_plural = _("medications")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_adequate_mg_per_day__isnull=True)
                | Q(min_adequate_mg_per_day__gt=0),
                name="medication_min_dose_null_or_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.generic_name

    @property
    def brand_list(self) -> list[str]:
        return [name.strip() for name in self.brand_names.split(";") if name.strip()]
