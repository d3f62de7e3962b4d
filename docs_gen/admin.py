from django.contrib import admin

from .models import CoIssuer, Issuer, NumberCounter, OfficialDocument


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ("code", "mark_name", "unit", "printer")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("issuer", "series", "year", "last")
    readonly_fields = ("issuer", "series", "year", "last")

    # a counter is never added by hand nor deleted (numbering would restart at 1); the
    # database refuses it too (workflows/dbguard.py)
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CoIssuerInline(admin.TabularInline):
    """The co-issuers of a joint document and their countersignatures: read only, like the
    document (会签 goes through the services)."""

    model = CoIssuer
    extra = 0
    fields = ("position", "issuer", "countersigner_name", "countersigned_at", "opinion")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(admin.ModelAdmin):
    inlines = [CoIssuerInline]
    list_display = ("number", "title", "issuer", "status", "render_status", "issued_on")
    list_filter = ("status", "kind", "issuer")
    search_fields = ("title", "number")

    def has_change_permission(self, request, obj=None):
        return False  # every change goes through the services (audit trail)

    def has_delete_permission(self, request, obj=None):
        # an issued or revoked document is kept (revoking is the way to withdraw it);
        # the bulk action asks per document, so it cannot delete one either
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)
