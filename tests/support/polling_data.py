"""What the source_poll tests share: a fixed clock, hashtags, the poll call, its state and log."""

from __future__ import annotations

from datetime import UTC, datetime

from hashtags.models import PollLog, PollState
from hashtags.polling import source_poll
from hashtags.services import hashtag_get_or_create

NOW = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
INTERVAL = 60


def clock(at: datetime = NOW):
    return lambda: at


def tags_make(*displays: str) -> dict:
    """Hashtags by normalized name, the form clients get and posts carry."""
    return {h.name: h for h in (hashtag_get_or_create(tag=t) for t in displays)}


def poll(source, tags, client=None, *, factory=None, now=None, **kwargs):
    return source_poll(
        source_id=source.pk,
        hashtag_ids=[h.pk for h in tags.values()],
        client_factory=factory or (lambda s: client),
        now=now or clock(),
        **kwargs,
    )


def state(source) -> PollState:
    return PollState.objects.get(source=source)


def logs(source) -> dict[str, tuple[str, int]]:
    rows = PollLog.objects.filter(source=source).values_list(
        "hashtag__name", "outcome", "posts_stored"
    )
    return {name: (outcome, stored) for name, outcome, stored in rows}


def poll_logged(source, campaign, outcome, start, end, message="") -> None:
    """One poll of the campaign's hashtags as source_poll logs it: a row per hashtag for the
    window [start, end), finished at its end."""
    PollLog.objects.bulk_create(
        PollLog(
            source=source,
            hashtag=hashtag,
            started_at=end,
            finished_at=end,
            window_start=start,
            window_end=end,
            outcome=outcome,
            message=message,
        )
        for hashtag in campaign.hashtags.all()
    )


class Untouchable:
    """A client factory that fails the test if the poller asks it for a client."""

    def __init__(self):
        self.calls = 0

    def __call__(self, source):
        self.calls += 1
        raise AssertionError("the poller asked for a client")
