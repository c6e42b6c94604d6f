"""Dashboard answers that rollups cannot give (unique authors, potential reach, top
contributors) for a campaign and a range, kept with when they were computed."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now as tz_now


class DashboardSnapshot(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="snapshots"
    )
    name = models.CharField(max_length=40)
    params_key = models.CharField(max_length=200)
    computed_at = models.DateTimeField(default=tz_now)
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name", "params_key"], name="snapshot_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.name} {self.params_key} at {self.computed_at:%H:%M}"
