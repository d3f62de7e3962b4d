from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import CreateProcessView, UpdateProcessView

from .models import BareProcess

SUBMITTER = "bare-submitter"
REVIEWERS = ("bare-review-1", "bare-review-2", "bare-review-3")
STEPS = ("review_1", "review_2", "review_3")


class BareFlow(flow.Flow):
    process_class = BareProcess
    lock_impl = lock.select_for_update_lock

    start = (
        flow.Start(CreateProcessView.as_view(fields=["text"]))
        .Available(username=SUBMITTER)
        .Next(this.review_1)
    )
    review_1 = (
        flow.View(UpdateProcessView.as_view(fields=["approved"]))
        .Assign(username=REVIEWERS[0])
        .Next(this.check_1)
    )
    check_1 = flow.If(lambda a: a.process.approved).Then(this.review_2).Else(this.rejected)
    review_2 = (
        flow.View(UpdateProcessView.as_view(fields=["approved"]))
        .Assign(username=REVIEWERS[1])
        .Next(this.check_2)
    )
    check_2 = flow.If(lambda a: a.process.approved).Then(this.review_3).Else(this.rejected)
    review_3 = (
        flow.View(UpdateProcessView.as_view(fields=["approved"]))
        .Assign(username=REVIEWERS[2])
        .Next(this.check_3)
    )
    check_3 = flow.If(lambda a: a.process.approved).Then(this.approved).Else(this.rejected)
    approved = flow.End()
    rejected = flow.End()
