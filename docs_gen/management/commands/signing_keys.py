import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from docs_gen import signing


def _parties() -> list[signing.Party]:
    from docs_gen.models import Issuer

    try:
        return [
            signing.Party(unit_code=i.unit.code, name=i.mark_name)
            for i in Issuer.objects.select_related("unit").order_by("pk")
        ]
    except DatabaseError:  # not migrated yet (setup.sh runs before migrate)
        return []


class Command(BaseCommand):
    help = (
        "List where each issuing unit's signing key comes from; with --ensure, make the local "
        "test authority and a certificate per issuing unit (embedded mode). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ensure",
            action="store_true",
            help="create the test authority and the missing unit certificates "
            "(only when DOCS_SIGNING_TEST_AUTHORITY is on)",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")

    def handle(self, *args, ensure=False, as_json=False, **options):
        test_authority = settings.DOCS_SIGNING_TEST_AUTHORITY
        parties = _parties()
        if ensure and test_authority:
            signing.ensure_test_authority()
        rows = []
        for party in parties:
            source, path = signing.key_source(party)
            if ensure and source == "test-authority":
                path = signing.ensure_test_certificate(party)
            rows.append(
                {
                    "unit": party.unit_code,
                    "issuer": party.name,
                    "source": source,
                    "file": str(path) if path else "",
                    "exists": bool(path and path.is_file()),
                    "variable": f"DOCS_SIGNING_P12_{signing.env_code(party.unit_code)}",
                }
            )
        result = {
            "test_authority": test_authority,
            "test_authority_certificate": str(signing.authority_dir() / "ca.pem")
            if test_authority
            else "",
            "trust_roots": list(settings.DOCS_SIGNING_TRUST_ROOTS or []),
            "time_stamp_service": settings.DOCS_TSA_URL or "",
            "issuers": rows,
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        mode = (
            "test authority (not a national e-seal)" if test_authority else "configured keys only"
        )
        self.stdout.write(f"signing keys: {mode}; directory {signing.signing_dir()}")
        for row in rows:
            state = "ok" if row["exists"] else "MISSING"
            self.stdout.write(
                f"  {row['unit']:<12} {row['issuer']}: {row['source']} {row['file']} [{state}]"
                + ("" if row["exists"] else f"  (set {row['variable']})")
            )
        if not parties:
            self.stdout.write("  (no issuing units registered yet)")
