from django.contrib.contenttypes.models import ContentType


def content_type_for(obj):
    """guardian's content type for ``obj``: the proxy model's own, not the concrete one.

    viewflow keeps each flow's process as a proxy of ``viewflow.Process``; guardian's
    default resolves the concrete model and then fails on proxies
    (docs/VIEWFLOW.md, pitfall 2).
    """
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)
