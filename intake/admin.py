from django.contrib import admin

from .models import Medication


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    list_display = (
        "generic_name",
        "drug_class",
        "role",
        "min_adequate_mg_per_day",
        "usual_max_mg_per_day",
        "active",
        "updated_at",
    )
    list_filter = ("role", "active", "drug_class")
    search_fields = ("generic_name", "brand_names", "slug")
    readonly_fields = ("updated_at",)
    prepopulated_fields = {"slug": ("generic_name",)}
