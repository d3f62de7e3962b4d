from django.contrib import admin

from .models import Issuer, NumberCounter, OfficialDocument


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ("code", "mark_name", "unit", "printer")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("issuer", "series", "year", "last")
    readonly_fields = ("issuer", "series", "year", "last")


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "issuer", "status", "render_status", "issued_on")
    list_filter = ("status", "kind", "issuer")
    search_fields = ("title", "number")

    def has_change_permission(self, request, obj=None):
        return False  # every change goes through the services (audit trail)
