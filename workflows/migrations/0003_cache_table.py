"""The table of the database cache (CACHES when CACHE_URL is unset), so that `migrate`
is all a new installation needs. Created whatever CACHES says, so that unsetting
CACHE_URL later finds it there."""

from django.db import migrations


def create(apps, schema_editor):
    from workflows.cache import create_cache_table

    create_cache_table(schema_editor.connection.alias)


def drop(apps, schema_editor):
    from workflows.cache import CACHE_TABLE

    if CACHE_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_decision_document"),
    ]

    operations = [migrations.RunPython(create, drop)]
