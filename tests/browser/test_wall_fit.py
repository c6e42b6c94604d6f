"""The event wall and its embeds fit their boxes in real Chromium: nothing is lost silently.

Every card's text either fits its box or ends in a visible ellipsis (line-clamp); no part of a
card lies outside it or under another part (the welcome post's last line behind its hashtag
chips was the bug); "Up next" shows as many items as fit its column; the header keeps five
hashtags on one line; names are not cut in the featured embed.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from campaigns.curation.services import post_curate
from campaigns.models import Story
from hashtags.models import Author
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

WALL = {"width": 1920, "height": 1080}
TAGS = ["NHITweek", "HITworks", "IHeartHIT", "HealthITPolicy", "InteropNow"]
SENTENCE = (
    "Our regional health information exchange now connects every rural clinic in the valley, "
    "so a patient's allergies, medications and last lab results follow them from the clinic "
    "to the emergency room without a single fax. "
)
LONG = (SENTENCE * 3)[:590].rsplit(" ", 1)[0]  # just under the wall's 600-character cut
MEDIUM = SENTENCE + "The nurses say it gives them an hour back every shift. #NHITweek"
LONG_NAME = "Councilmember Dana Whitfield-Okonkwo of the Health Committee"


@pytest.fixture
def crowded(db, curator):
    """Five hashtags; a pinned post of nearly 600 characters carrying all five; ten featured
    posts and stories of a few hundred characters; an author with a very long name."""
    campaign = CampaignFactory(name="NHIT Week 2026", slug="nhit-week-2026", public=True, tags=TAGS)
    names = [tag.casefold() for tag in TAGS]
    pinned = post_make(campaign, 1, tags=names, text=LONG, handle="nhitweek_team")
    Author.objects.filter(pk=pinned.author_id).update(name="NHIT Week Team")
    post_curate(campaign=campaign, post_id=pinned.pk, action="pin", actor=curator, position=1)
    for n in range(2, 10):
        post = post_make(
            campaign,
            n,
            tags=names[: 1 + n % 5],
            text=LONG if n % 3 == 0 else MEDIUM,
            handle=f"member{n}",
        )
        name = LONG_NAME if n == 2 else f"Member {n}"
        Author.objects.filter(pk=post.author_id).update(name=name)
        post_curate(campaign=campaign, post_id=post.pk, action="feature", actor=curator)
    for n in range(2):
        Story.objects.create(
            campaign=campaign,
            name=f"Storyteller {n}",
            role=Story.Role.CLINICIAN,
            email="private.person@example.org",
            text=LONG,
            consent=True,
            status=Story.Status.APPROVED,
        )
    return campaign


@pytest.fixture
def wall_context(chromium):
    contexts = []

    def make(viewport=None, **options):
        context = chromium.new_context(viewport=viewport or WALL, **options)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


# What does not fit, as the browser lays it out: one line per problem.
MISFITS = """
() => {
  const problems = [];
  const say = (node, what) => {
    const card = node.closest('.card');
    problems.push(`${card ? card.dataset.key : node.className}: ${node.className}: ${what}`);
  };
  const list = document.body.classList.contains('wall--list');
  const inside = (inner, outer) => inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1
    && inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  const cards = [...document.querySelectorAll('.card')].filter((c) => c.offsetParent !== null);
  for (const card of cards) {
    const box = card.getBoundingClientRect();
    const holder = card.parentElement.getBoundingClientRect();
    if (!inside(box, holder)) say(card, 'the card spills out of its place');
    if (!list) {
      const column = card.closest('.wall-next__list, .wall-spotlight__card');
      if (column && !inside(box, column.getBoundingClientRect())) say(card, 'outside its column');
    }
    let above = box.top;
    for (const part of card.children) {
      if (getComputedStyle(part).display === 'none') continue;
      const r = part.getBoundingClientRect();
      if (!inside(r, box)) say(part, 'outside the card');
      if (r.top < above - 1) say(part, 'under the part above it');
      above = Math.max(above, r.bottom);
    }
    for (const text of card.querySelectorAll('.card__text')) {
      const style = getComputedStyle(text);
      const clamped = style.webkitLineClamp && style.webkitLineClamp !== 'none';
      if (text.scrollHeight > text.clientHeight + 1 && !clamped) say(text, 'lines lost silently');
      if (clamped) {
        // The box shows whole lines, the last with the ellipsis; lines past it overflow into
        // the padding, where they would show, so a clamped text has none.
        const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
        if (pad > 0) say(text, 'lines past the ellipsis show in the padding');
        const lines = text.clientHeight / parseFloat(style.lineHeight);
        if (Math.abs(lines - Math.round(lines)) > 0.1) say(text, `a cut line (${lines} lines)`);
      }
    }
    for (const line of card.querySelectorAll('.card__name, .card__meta, .card__tag')) {
      if (line.scrollWidth <= line.clientWidth + 1) continue;
      if (list && line.matches('.card__name')) say(line, 'the name is cut');
      else if (getComputedStyle(line).textOverflow !== 'ellipsis') say(line, 'cut without "…"');
    }
  }
  const tags = document.querySelector('.wall-tags');
  if (tags && !list) {
    const tops = new Set([...tags.children].map((t) => t.offsetTop));
    if (tops.size > 1) problems.push(`the header's hashtags wrap onto ${tops.size} lines`);
    if (tags.scrollWidth > tags.clientWidth + 1) problems.push("the header's hashtags are cut");
  }
  const root = document.documentElement;
  if (!list && (root.scrollWidth > innerWidth || root.scrollHeight > innerHeight)) {
    problems.push(`the page is ${root.scrollWidth}x${root.scrollHeight}, not one screen`);
  }
  return problems;
}
"""

# The Up next column: how many items show, the room left under them, and the height the first
# item left out would need (shown for a moment to measure it).
NEXT_ROOM = """
() => {
  const list = document.getElementById('wall-next');
  const items = [...list.children];
  const shown = items.filter((li) => !li.hidden);
  const bottom = list.getBoundingClientRect().bottom;
  const last = shown.length ? shown[shown.length - 1].getBoundingClientRect().bottom : 0;
  const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
  const next = items.find((li) => li.hidden);
  let needed = null;
  if (next) {
    next.hidden = false;
    needed = next.getBoundingClientRect().height + gap;
    next.hidden = true;
  }
  return {shown: shown.length, rendered: items.length, left: bottom - last,
          column: list.clientHeight, needed};
}
"""


def misfits(page) -> list[str]:
    """After the card's entrance animation (it slides in from a little lower)."""
    page.wait_for_function("() => !document.getAnimations().some(a => a.animationName === 'enter')")
    return page.evaluate(MISFITS)


def each_spotlight(page, count: int):
    """Put each of the first `count` items in the spotlight in turn (the right arrow)."""
    for _ in range(count):
        yield page.locator("#wall-spotlight .card").get_attribute("data-key")
        page.keyboard.press("ArrowRight")


def test_every_card_of_a_crowded_wall_fits_at_1920x1080(
    live_server, wall_context, screenshot, crowded
):
    page = wall_context()
    page.goto(f"{live_server.url}/c/{crowded.slug}/wall/?rotate=60&refresh=60")
    assert page.locator(".wall-tag").count() == 5
    # The 590-character post with its five chips, in the spotlight: it fits or ends visibly.
    assert page.locator("#wall-spotlight .card .card__tag").count() == 5
    assert misfits(page) == []
    screenshot(page, "wall-crowded")
    for key in each_spotlight(page, 11):
        assert misfits(page) == [], key
    assert page.console_errors == []


def test_up_next_shows_as_many_items_as_fit_its_column(live_server, wall_context, crowded):
    page = wall_context()
    page.goto(f"{live_server.url}/c/{crowded.slug}/wall/?rotate=60&refresh=60")
    room = page.evaluate(NEXT_ROOM)
    assert room["shown"] >= 3, room
    if room["needed"] is not None:
        assert room["needed"] > room["left"], f"another item would have fitted: {room}"
    # The column is filled: what is left under the last item is a sliver, not a third.
    assert room["left"] < 0.15 * room["column"], room
    assert misfits(page) == []


def test_the_seeded_welcome_post_shows_whole_on_the_wall_and_in_the_embeds(
    live_server, wall_context
):
    call_command("seed_demo", stdout=io.StringIO())
    pages = [
        (WALL, "wall/"),
        (WALL, "embed/wall/"),
        ({"width": 860, "height": 520}, "embed/wall/"),
        ({"width": 380, "height": 800}, "embed/featured/"),
    ]
    for viewport, path in pages:
        page = wall_context(viewport)
        page.goto(f"{live_server.url}/c/nhit-week-2026/{path}?rotate=60&refresh=60")
        welcome = page.locator(".card--pinned .card__text").first
        assert welcome.inner_text().startswith("Welcome to NHIT Week 2026!")
        assert misfits(page) == [], (viewport, path)
        # Whole: no line of it is hidden, clamped or not, at these sizes.
        assert welcome.evaluate("n => n.scrollHeight <= n.clientHeight + 1"), (viewport, path)
        assert page.console_errors == []


@pytest.mark.parametrize(
    ("viewport", "path"),
    [
        (WALL, "embed/wall/"),
        ({"width": 800, "height": 600}, "embed/wall/"),
        ({"width": 380, "height": 800}, "embed/featured/"),
        ({"width": 600, "height": 800}, "embed/featured/"),
    ],
    ids=["wall-1920", "wall-800x600", "featured-380", "featured-600"],
)
def test_the_embeds_fit_long_posts_and_long_names(
    live_server, wall_context, screenshot, request, crowded, viewport, path
):
    page = wall_context(viewport)
    page.goto(f"{live_server.url}/c/{crowded.slug}/{path}?rotate=60&refresh=60")
    page.locator(".card").first.wait_for()
    misfits(page)
    screenshot(page, f"embed-crowded-{request.node.callspec.id}")
    if path == "embed/wall/":
        for key in each_spotlight(page, 11):
            assert misfits(page) == [], key
    else:
        assert page.locator(".card__name", has_text=LONG_NAME).count() == 1
        assert misfits(page) == []
    assert page.console_errors == []
