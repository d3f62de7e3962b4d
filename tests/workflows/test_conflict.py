"""Two people acting at once: the loser gets 409 with what happened, never a 500."""

from django.http import HttpResponse
from viewflow.workflow.exceptions import FlowLockFailed

from workflows.exceptions import Conflict
from workflows.middleware import ConflictMiddleware


def _middleware():
    return ConflictMiddleware(lambda request: HttpResponse())


def test_a_conflict_answers_409_with_its_message(world, rf):
    request = rf.post("/somewhere/")
    request.user = world.edu_handler
    response = _middleware().process_exception(
        request, Conflict("该申请已由张三于 10:02 审核通过。")
    )
    assert response.status_code == 409
    assert "该申请已由张三于 10:02 审核通过。" in response.content.decode()


def test_a_lock_that_could_not_be_taken_answers_409(world, rf):
    request = rf.post("/somewhere/")
    request.user = world.edu_handler
    response = _middleware().process_exception(request, FlowLockFailed("lock"))
    assert response.status_code == 409
    assert "其他人正在办理此事项" in response.content.decode()


def test_other_errors_are_left_alone(world, rf):
    request = rf.get("/")
    request.user = world.edu_handler
    assert _middleware().process_exception(request, ValueError("boom")) is None
