import pytest

from docs_gen.demo import ensure_issuers
from tests.factories import member
from workflows.models import Role


@pytest.fixture
def issuers(world):
    return ensure_issuers()


@pytest.fixture
def office_leader(world):
    return member(world.office, Role.LEADER)


BODY = [
    {"type": "paragraph", "text": "根据《台州市职技融通改革实施方案》要求，现将有关事项通知如下。"},
    {"type": "heading", "level": 1, "text": "一、工作任务"},
    {
        "type": "paragraph",
        "text": "各校按期完成学分互认试点工作。联系人：王堃、李喆、张赟、陈昇、赵玥。",
    },
]


def two_page_body(n: int = 14) -> list[dict]:
    text = "各试点院校要高度重视，加强组织领导，细化工作措施，确保职技融通改革各项任务落到实处，按时报送工作进展情况。"
    return [*BODY, *({"type": "paragraph", "text": text} for _ in range(n))]
