from django.db import models
from viewflow.workflow.models import Process

from approvals.common.models import Application


class TrialDetail(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField("申报课题", max_length=100)
    years = models.PositiveIntegerField("从教年限")

    def __str__(self):
        return self.topic


class TrialProcess(Process):
    class Meta:
        proxy = True
