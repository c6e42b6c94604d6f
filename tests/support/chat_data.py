"""A realistic chat on X, Mastodon and Bluesky, each post labelled by hand with where it belongs.

The labels are the test's independent answer: "intro", a question number, "wrap_up", "repost",
or None (not the chat's: outside its span or without its hashtag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.chats.services import PlannedQuestion, chat_upsert
from campaigns.models import Campaign, Chat
from hashtags.ingest import posts_upsert
from hashtags.sources.base import AuthorData, PostData
from tests.support.factories import CampaignFactory, SeriesFactory

CHAT_START = datetime(2026, 10, 6, 18, 0, tzinfo=UTC)  # 14:00 in New York
PREVIOUS_START = datetime(2025, 10, 7, 18, 0, tzinfo=UTC)
TAG = "nhitchat"
MASTO = "https://mastodon.social"


def x_author(handle: str, followers: int = 100) -> AuthorData:
    return AuthorData("x", f"x-{handle.lower()}", handle, handle, followers=followers)


def masto_author(user: str, followers: int = 50) -> AuthorData:
    acct = f"{user}@mastodon.social"
    return AuthorData("mastodon", acct, acct, user, url=f"{MASTO}/@{user}", followers=followers)


def sky_author(handle: str, followers: int = 70) -> AuthorData:
    return AuthorData("bluesky", f"did:plc:{handle.split('.')[0]}", handle, followers=followers)


@dataclass
class Labelled:
    data: PostData
    label: int | str | None


class ChatBuilder:
    def __init__(self, start: datetime, first: int = 0) -> None:
        self.start = start
        self.items: list[Labelled] = []
        self._n = first  # post ids count on from here: builders of one test never collide

    def add(
        self,
        author: AuthorData,
        minute: float,
        text: str,
        label: int | str | None,
        *,
        reply_to: PostData | None = None,
        quote_of: PostData | None = None,
        repost_of: PostData | None = None,
        tags: tuple[str, ...] = (TAG,),
        likes: int = 0,
    ) -> PostData:
        self._n += 1
        n, platform = self._n, author.platform
        if platform == "mastodon":
            local = str(1000 + n)
            ext, url = (
                f"{MASTO}/users/{author.name}/statuses/{local}",
                f"{MASTO}/@{author.name}/{local}",
            )
        elif platform == "bluesky":
            ext = f"at://{author.external_id}/app.bsky.feed.post/3k{n:04d}"
            url = f"https://bsky.app/profile/{author.handle}/post/3k{n:04d}"
        else:
            ext, url = str(1800000000000000000 + n), f"https://x.com/{author.handle}/status/{n}"
        # Mastodon names a parent or a quoted post by its server-local id.
        parent, quoted = (
            ""
            if other is None
            else other.url.rsplit("/", 1)[-1]
            if platform == "mastodon"
            else other.external_id
            for other in (reply_to, quote_of)
        )
        data = PostData(
            platform=platform,
            external_id=ext,
            author=author,
            text=f"{text} #NHITchat" if repost_of is None else "",
            url=url,
            created_at=self.start + timedelta(minutes=minute),
            hashtags=tags,
            likes=likes,
            is_repost=repost_of is not None,
            repost_of=repost_of.external_id if repost_of is not None else "",
            reply_to=parent,
            quote_of=quoted,
        )
        self.items.append(Labelled(data, label))
        return data


def campaigns_make() -> tuple[Campaign, Campaign]:
    series = SeriesFactory()
    previous = CampaignFactory(
        slug="nhit-2025",
        series=series,
        edition="2025",
        start=PREVIOUS_START - timedelta(days=1),
        end=PREVIOUS_START + timedelta(days=4),
        tags=["NHITweek"],
    )
    current = CampaignFactory(
        slug="nhit-2026",
        series=series,
        edition="2026",
        start=CHAT_START - timedelta(days=1),
        end=CHAT_START + timedelta(days=4),
        tags=["NHITweek"],
    )
    return previous, current


def previous_chat_store(previous: Campaign) -> Chat:
    chat, _ = chat_upsert(
        campaign=previous,
        slug="tuesday",
        title="NHIT chat 2025",
        hashtag="NHITchat",
        start=PREVIOUS_START,
        end=PREVIOUS_START + timedelta(hours=1),
        hosts=[("x", "HostX")],
    )
    b = ChatBuilder(PREVIOUS_START, first=900)
    b.add(x_author("HostX", 5000), 5, "Q1: last year's question", 1)
    b.add(x_author("Veteran"), 6, "A1 I was here in 2025", 1)
    b.add(sky_author("returner.bsky.social"), 7, "a1 me too", 1)
    posts_upsert(posts=[i.data for i in b.items])
    return chat


PLAN = [
    PlannedQuestion(1, CHAT_START + timedelta(minutes=5), "What does health IT mean to you?"),
    PlannedQuestion(2, CHAT_START + timedelta(minutes=15), "Where does data sharing stall?"),
    PlannedQuestion(3, CHAT_START + timedelta(minutes=25), "Who is left out?"),
    PlannedQuestion(4, CHAT_START + timedelta(minutes=35), "What should Congress do?"),
    PlannedQuestion(5, CHAT_START + timedelta(minutes=45), "One wish for next year?"),
    PlannedQuestion(6, CHAT_START + timedelta(minutes=55), "Bonus: favourite app?"),
]


def chat_store(campaign: Campaign, **changes: Any) -> Chat:
    """The Tuesday chat on #NHITchat, 14:00 to 15:00 in New York, hosted on X and Mastodon;
    `changes` are chat_upsert's keywords to differ in."""
    chat, _ = chat_upsert(
        **{
            "campaign": campaign,
            "slug": "tuesday",
            "title": "NHIT chat: data for all",
            "hashtag": "#NHITchat",
            "start": CHAT_START,
            "end": CHAT_START + timedelta(hours=1),
            "hosts": [("x", "@HostX"), ("mastodon", "Host@Mastodon.Social")],
        }
        | changes
    )
    return chat


def current_chat_store(current: Campaign) -> tuple[Chat, list[Labelled]]:
    """Two hosts, Q1..Q5 from their posts and Q6 only planned, every marker style, reply chains,
    a quote, reposts, late replies, posts outside the span and without the tag."""
    chat = chat_store(current, questions=PLAN)
    hx, hm = x_author("HostX", 5000), masto_author("host", 800)
    ann, bob, vet = x_author("Ann", 300), x_author("Bob", 40), x_author("Veteran", 900)
    cat, dan = masto_author("cat"), masto_author("dan", 20)
    eve, ret = sky_author("eve.bsky.social", 120), sky_author("returner.bsky.social", 60)
    b = ChatBuilder(CHAT_START)
    b.add(ann, -10, "Getting ready for the chat", None)  # before the start
    b.add(ann, 30, "No chat tag here", None, tags=("nhitweek",))
    b.add(bob, 1, "Hello everyone, glad to be here", "intro")
    b.add(hx, 2, "Welcome! Introduce yourselves", "intro")
    q1 = b.add(hx, 5, "Q1: What does health IT mean to you?", 1, likes=10)
    a1 = b.add(ann, 6, "A1 interoperability, finally", 1, likes=9)
    a2 = b.add(eve, 7, "a1: patients seeing their own records", 1, likes=3)
    b.add(cat, 7.5, "@host@mastodon.social A 1) less paperwork", 1, likes=5)
    b.add(bob, 8, "", "repost", repost_of=q1)
    b.add(dan, 8.5, "A1. safer prescribing", 1)
    q2 = b.add(hm, 15, "@HostX Q2. Where does data sharing stall?", 2, likes=4)
    b.add(vet, 16, "A2 at the fax machine", 2, likes=7)
    b.add(cat, 17, "Consent forms everywhere", 2, reply_to=q2)  # reply to a question
    b.add(dan, 18, "", "repost", repost_of=q2)
    b.add(ann, 20, "Still thinking about that first one", 1, reply_to=q1)
    b.add(bob, 19, "Back to this one: consent is the hard part", 1, quote_of=q1)  # in Q2's time
    a7 = b.add(bob, 21, "So true", 1, reply_to=a1)  # reply to an answer
    b.add(ann, 22, "Thanks Bob", 1, reply_to=a7)  # nested
    b.add(ret, 22.5, "agreed", 1, reply_to=a2)  # Bluesky reply chain
    q3 = b.add(hx, 25, "Question 3 Who is left out?", 3)
    b.add(eve, 26, "This! Rural clinics first", 3, likes=2)  # the active question
    b.add(vet, 26.5, "Quoting: the ones without broadband", 3, quote_of=q3)  # a quote of Q3
    b.add(bob, 27, "rural hospitals without broadband", 3, likes=6)  # the active question
    b.add(hx, 35, "q 4 What should Congress do?", 4)
    b.add(vet, 36, "A9 fund it all", 4)  # no question 9: the active one
    b.add(ann, 40, "A3: and people without phones", 3, likes=1)  # marker beats time
    b.add(hm, 45, "Q5 One wish for next year?", 5)
    b.add(cat, 47, "@host@mastodon.social more chats like this", 5)
    b.add(eve, 50, "Question 3 again: broadband", 5)  # not a host: no question, time says Q5
    b.add(ret, 57, "a favourite app: my portal", 6)  # planned Q6 is active from 14:55
    thanks = b.add(hx, 61, "Thanks everyone, recap tomorrow!", "wrap_up")
    b.add(ann, 65, "Late to Q3", 3, reply_to=q3)  # a late reply to a question
    b.add(bob, 70, "See you next year", "wrap_up", reply_to=thanks)  # late reply, wrap-up
    b.add(dan, 80, "A4 late but: fund interoperability", 4)
    b.add(vet, 95, "Too late for the tail", None)  # after end + 30 minutes
    posts_upsert(posts=[i.data for i in b.items])
    return chat, b.items


def editions_store(*, public: bool = False) -> tuple[Chat, list[Labelled]]:
    """Both editions with their chats stored (2025's three posts, then this year's); returns
    this year's chat and its labelled posts."""
    previous, current = campaigns_make()
    if public:
        for edition in (previous, current):
            edition.public = True
            edition.save(update_fields=["public"])
    previous_chat_store(previous)
    return current_chat_store(current)
