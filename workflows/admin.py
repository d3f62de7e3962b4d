from django.contrib import admin

from .models import AuditEntry, Delegation, Expert, Membership, Notification, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "school_type", "code"]
    list_filter = ["kind", "school_type"]
    search_fields = ["name", "full_name", "code"]
    inlines = [MembershipInline]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["__str__", "field", "title", "affiliation", "active"]
    list_filter = ["active"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be searched but never changed."""

    list_display = ["created_at", "actor_name", "unit", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_repr", "note"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read-only: delegations are made and ended by their principals (workflows.delegation),
    whose rules the admin would bypass."""

    list_display = ["principal", "substitute", "unit", "starts_on", "ends_on", "ended_at"]
    list_filter = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
