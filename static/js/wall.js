/* The event wall and its embeds: paint the answer from #wall-data, then poll the JSON.
 *
 * body data-: api (the JSON URL), refresh (seconds between polls), rotate (seconds each item
 * stays in the spotlight), mode: "wall" (full screen), "compact" (embed), "list" (featured embed).
 * Every value from the server goes into the page through textContent, never as HTML (elements
 * and links from dom.js); a campaign colour only as a CSS variable, and only when it is #rrggbb.
 * A poll that fails keeps what is on screen and says it is reconnecting; the next one retries.
 * Items that arrive in a poll go to the front of "Up next", so a post a curator just featured
 * is on screen within one refresh interval. Keys: F full screen, right arrow next item.
 *
 * Nothing is lost silently: the spotlight's text takes the biggest type, down to the CSS's
 * --fit-min, at which it fits its card; only text still too long at that size is clamped, with
 * an ellipsis, on a whole line. "Up next" shows as many items as fit its column, in order, each
 * with three lines of text (two when that fits one more item), then lets their text run longer
 * into the room left. The header's hashtags and the call to join in shrink to stay on one line.
 * All of it again when the room changes (screen size, full screen, header and footer). Times are the campaign's, in the 24-hour format the posts use.
 */
(function () {
  "use strict";

  const { el, webUrl, externalLink, tagColor, formatNumber, zoneClock } = window.NhitDom;
  const body = document.body;
  const mode = body.dataset.mode || "wall";
  const api = body.dataset.api;
  const refreshMs = seconds(body.dataset.refresh, 5) * 1000;
  const rotateMs = seconds(body.dataset.rotate, 8) * 1000;
  const NEXT_MAX = 8; // items laid out in "Up next"; those that do not fit are left out
  const NEXT_LINES = { fewest: 2, usual: 3, most: 6 }; // lines of text of an Up next item
  const LINKS = mode !== "wall"; // nobody clicks an event screen

  const $ = (id) => document.getElementById(id);
  const view = {
    spotlight: $("wall-spotlight"),
    progress: $("wall-progress"),
    next: $("wall-next"),
    list: $("wall-list"),
    count: $("wall-count"),
    reposts: $("wall-reposts"),
    tags: $("wall-tags"),
    updated: $("wall-updated"),
    offline: $("wall-offline"),
    fullscreen: $("wall-fullscreen"),
    cta: $("wall-cta"),
  };

  const state = {
    items: [],
    byKey: new Map(),
    seen: new Set(),
    priority: [], // keys that arrived since the first paint, shown before the cycle resumes
    current: null, // key in the spotlight
    cycleKey: null, // the last key the normal cycle showed
    signature: "",
    loaded: false,
    lastOk: null,
    failing: false,
    rotateTimer: null,
    pollTimer: null,
    clock: zoneClock(""),
    timezone: "",
    statusWidth: 0,
  };

  function seconds(value, fallback) {
    const n = parseInt(value, 10);
    return Number.isFinite(n) ? Math.min(Math.max(n, 1), 60) : fallback;
  }

  // The campaign's hashtags a post carries, as chips in their colours (a story has none).
  function tagChips(item) {
    const tags = (Array.isArray(item.hashtags) ? item.hashtags : []).filter(
      (t) => t && typeof t.tag === "string" && t.tag
    );
    if (!tags.length) return null;
    const list = el("ul", { class: "card__tags", "aria-label": "Hashtags" });
    for (const t of tags) {
      const chip = el("li", { class: "card__tag", text: `#${t.tag}` });
      tagColor(chip, t.color);
      list.append(chip);
    }
    return list;
  }

  function sizeClass(text) {
    const n = (text || "").length;
    if (n <= 90) return "card__text--xl";
    if (n <= 180) return "card__text--l";
    if (n <= 320) return "card__text--m";
    return "card__text--s";
  }

  // --- Fitting text to its box --------------------------------------------------------------

  function px(value) {
    const n = parseFloat(value);
    return Number.isFinite(n) ? n : 0;
  }

  // The biggest font size, from the one the CSS gives down to its --fit-min, at which fits()
  // holds (set on the node through the CSSOM); false when even the smallest does not.
  function shrinkToFit(node, fits) {
    node.style.removeProperty("font-size");
    if (fits()) return true;
    const style = getComputedStyle(node);
    let hi = px(style.fontSize);
    let lo = Math.min(px(style.getPropertyValue("--fit-min")) || hi / 2, hi);
    const size = (value) => node.style.setProperty("font-size", `${value}px`);
    size(lo);
    if (!fits()) return false;
    while (hi - lo > 0.5) {
      const mid = (lo + hi) / 2;
      size(mid);
      if (fits()) lo = mid;
      else hi = mid;
    }
    size(lo);
    return true;
  }

  // A card's text in the room its card leaves it: smaller type, else an ellipsis on the last
  // line that fits whole.
  function fitText(node) {
    if (!node) return;
    node.classList.remove("card__text--clamped");
    node.style.removeProperty("-webkit-line-clamp");
    if (shrinkToFit(node, () => node.scrollHeight <= node.clientHeight)) return;
    const style = getComputedStyle(node);
    const inner = node.clientHeight - px(style.paddingTop) - px(style.paddingBottom);
    const lines = Math.max(1, Math.floor(inner / px(style.lineHeight)));
    node.style.setProperty("-webkit-line-clamp", String(lines));
    node.classList.add("card__text--clamped");
  }

  function fitSpotlight() {
    if (view.spotlight) fitText(view.spotlight.querySelector(".card__text"));
  }

  // One line for the hashtags across the top and the call to join in at the foot while it
  // can be; more lines at the smallest size.
  function fitLine(node) {
    if (!node) return;
    node.classList.remove("is-wrapped");
    if (!shrinkToFit(node, () => node.scrollWidth <= node.clientWidth)) {
      node.classList.add("is-wrapped");
    }
  }

  function fitLines() {
    if (mode === "list") return;
    fitLine(view.tags);
    fitLine(view.cta);
  }

  // --- One item as a card --------------------------------------------------------------------

  // spotlight: the big card; tagsFirst: the hashtags lead the card (a small card of Up next).
  function card(item, spotlight, links = LINKS, tagsFirst = false) {
    const post = item.kind === "post";
    const article = el("article", {
      class: `card card--${item.kind}${item.pinned ? " card--pinned" : ""}`,
    });
    article.dataset.key = item.key;

    const badge = el("p", { class: "card__badge" });
    if (item.pinned) badge.append(el("span", { class: "card__pin", text: "Pinned" }));
    const source = post ? item.platform_label : "#IHeartHIT story";
    badge.append(el("span", { class: "card__source", text: source }));
    article.append(badge);

    const text = el("p", {
      class: `card__text ${spotlight ? sizeClass(item.text) : ""}`,
      dir: "auto",
      text: item.text,
    });
    // In Up next the hashtags take the line a story gives its label; elsewhere they follow the
    // text, as a post's own tags.
    const chips = tagChips(item);
    if (chips && tagsFirst) article.append(chips);
    article.append(text);
    if (chips && !tagsFirst) article.append(chips);

    const by = el("footer", { class: "card__by" });
    const avatar = el("span", {
      class: "avatar",
      "aria-hidden": "true",
      text: post ? item.author.initials : item.initials,
    });
    const who = el("span", { class: "card__who" });
    const name = el("span", {
      class: "card__name",
      dir: "auto",
      text: post ? item.author.name : item.name,
    });
    const handle = post && item.author.handle ? `@${item.author.handle}` : "";
    // Where a post came from sits in the badge of a big card and in this line of a small one.
    const parts = [!spotlight && post && mode !== "list" ? item.platform_label : "", post ? handle : item.role, item.when];
    const line = parts.filter(Boolean).join(" · ");
    const meta = el("span", { class: "card__meta", dir: "auto", text: line });
    who.append(name, meta);
    by.append(avatar, who);
    if (links && webUrl(item.url)) {
      by.append(externalLink(item.url, post ? "View post" : "Read more", "card__link"));
    }
    article.append(by);
    return article;
  }

  function emptyCard() {
    const article = el("article", { class: "card card--empty" });
    article.append(
      el("p", {
        class: "card__text card__text--l",
        text: "Featured posts and #IHeartHIT stories will appear here.",
      })
    );
    const tags = state.tags || [];
    if (tags.length) {
      const line = `Post with ${tags.map((t) => `#${t.tag}`).join(" ")}`;
      article.append(el("p", { class: "card__meta", text: line }));
    }
    return article;
  }

  // --- The spotlight and what comes next ----------------------------------------------------

  function cycleAfter(key) {
    const n = state.items.length;
    if (!n) return null;
    const at = key === null ? -1 : state.items.findIndex((item) => item.key === key);
    return state.items[(at + 1) % n].key;
  }

  function upcoming(count) {
    const keys = [];
    for (const key of state.priority) {
      if (keys.length >= count) break;
      if (state.byKey.has(key) && key !== state.current && !keys.includes(key)) keys.push(key);
    }
    let key = state.cycleKey;
    for (let i = 0; i < state.items.length && keys.length < count; i += 1) {
      key = cycleAfter(key);
      if (key !== state.current && !keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  function paintSpotlight(node) {
    view.spotlight.replaceChildren(node);
    fitSpotlight();
  }

  function show(key) {
    state.current = key;
    state.currentSignature = key ? JSON.stringify(state.byKey.get(key)) : "";
    paintSpotlight(key ? card(state.byKey.get(key), true) : emptyCard());
    view.spotlight.firstElementChild.classList.add("card--enter");
    renderNext();
    restartProgress();
  }

  function advance() {
    let key = null;
    while (state.priority.length && key === null) {
      const candidate = state.priority.shift();
      if (state.byKey.has(candidate) && candidate !== state.current) key = candidate;
    }
    if (key === null && state.items.length) {
      key = cycleAfter(state.cycleKey);
      state.cycleKey = key;
    }
    if (key !== state.current || !view.spotlight.firstElementChild) show(key);
    scheduleRotation();
  }

  function scheduleRotation() {
    clearTimeout(state.rotateTimer);
    if (view.spotlight) state.rotateTimer = setTimeout(advance, rotateMs);
  }

  function restartProgress() {
    if (!view.progress) return;
    const moving = state.items.length > 1 || state.priority.length > 0;
    view.progress.classList.remove("wall-progress--run");
    view.progress.hidden = !moving;
    if (moving) {
      void view.progress.offsetWidth; // restart the CSS animation
      view.progress.classList.add("wall-progress--run");
    }
  }

  function renderNext() {
    if (!view.next) return;
    view.next.replaceChildren(
      ...upcoming(NEXT_MAX).map((key) => {
        const li = el("li", { class: "wall-next__item" });
        li.append(card(state.byKey.get(key), false, false, true));
        return li;
      })
    );
    fitNext();
  }

  // Shows the items of Up next that fit whole, in order: a card cut in half at the foot of the
  // column reads badly from afar, and one shown past a left-out one would tell the wrong order.
  // Returns how many are shown.
  function placeNext() {
    const room = view.next.clientHeight;
    let shown = 0;
    let fits = true;
    for (const li of view.next.children) {
      li.hidden = false;
      fits = fits && li.offsetTop + li.offsetHeight <= room;
      li.hidden = !fits;
      if (fits) shown += 1;
    }
    return shown;
  }

  function nextLines(li, lines) {
    li.style.setProperty("--next-lines", String(lines));
  }

  function fitNext() {
    if (!view.next || !view.next.children.length) return;
    const items = [...view.next.children];
    const layout = (lines) => {
      items.forEach((li) => nextLines(li, lines));
      return placeNext();
    };
    let lines = NEXT_LINES.usual;
    let shown = layout(lines);
    if (shown < items.length && layout(NEXT_LINES.fewest) > shown) lines = NEXT_LINES.fewest;
    shown = layout(lines);
    if (!shown) return;
    // The room left under the last item goes to longer texts, first items first.
    const room = view.next.clientHeight;
    const last = items[shown - 1];
    for (let more = lines + 1; more <= NEXT_LINES.most; more += 1) {
      for (const li of items.slice(0, shown)) {
        nextLines(li, more);
        if (last.offsetTop + last.offsetHeight > room) {
          nextLines(li, more - 1);
          return;
        }
      }
    }
  }

  // The room of the spotlight and of Up next changes with the screen, full screen, and the
  // header and footer around them: fit again whenever it does.
  window.addEventListener("resize", fitLines);
  if (window.ResizeObserver) {
    const sizes = new WeakMap();
    const refit = new ResizeObserver((entries) => {
      for (const { target, contentRect } of entries) {
        const size = `${Math.round(contentRect.width)}x${Math.round(contentRect.height)}`;
        if (sizes.get(target) === size) continue;
        sizes.set(target, size);
        if (target === view.next) fitNext();
        else fitSpotlight();
      }
    });
    [view.spotlight, view.next].forEach((node) => node && refit.observe(node));
  }

  function renderList() {
    if (!view.list) return;
    if (!state.items.length) {
      const li = el("li", { class: "wall-list__item" });
      li.append(emptyCard());
      view.list.replaceChildren(li);
      return;
    }
    view.list.replaceChildren(
      ...state.items.map((item) => {
        const li = el("li", { class: "wall-list__item" });
        li.append(card(item, false));
        return li;
      })
    );
  }

  // --- Header: count and hashtags ------------------------------------------------------------

  function renderTop(data) {
    if (view.count && data.count) {
      const text = formatNumber(data.count.value || 0);
      if (view.count.textContent !== text) {
        view.count.textContent = text;
        if (state.loaded) bump(view.count);
      }
      view.reposts.textContent = `+ ${formatNumber(data.count.reposts || 0)} reposts`;
    }
    const tags = data.hashtags || [];
    state.tags = tags;
    const now = tags.map((t) => `${t.tag}${t.color}`).join(" ");
    if (view.tags && view.tags.dataset.signature !== now) {
      view.tags.dataset.signature = now;
      view.tags.replaceChildren(
        ...tags.map((t) => {
          const li = el("li", { class: "wall-tag", text: `#${t.tag}` });
          tagColor(li, t.color);
          return li;
        })
      );
      fitLines();
    }
  }

  function bump(node) {
    node.classList.remove("is-bumped");
    void node.offsetWidth;
    node.classList.add("is-bumped");
  }

  // --- Applying an answer --------------------------------------------------------------------

  function apply(data) {
    const items = Array.isArray(data.items) ? data.items : [];
    if (data.timezone && data.timezone !== state.timezone) {
      state.timezone = data.timezone;
      state.clock = zoneClock(data.timezone);
    }
    renderTop(data);
    const signature = JSON.stringify(items);
    const changed = signature !== state.signature;
    state.signature = signature;
    const fresh = items.filter((item) => !state.seen.has(item.key)).map((item) => item.key);
    fresh.forEach((key) => state.seen.add(key));
    if (state.loaded) state.priority.push(...fresh);
    state.items = items;
    state.byKey = new Map(items.map((item) => [item.key, item]));
    state.loaded = true;
    if (!changed) return;
    renderList();
    if (!view.spotlight) return;
    if (state.current === null || !state.byKey.has(state.current)) {
      // Nothing on screen yet, or a curator took it down: move on now.
      advance();
    } else {
      const item = state.byKey.get(state.current);
      if (JSON.stringify(item) !== state.currentSignature) {
        state.currentSignature = JSON.stringify(item);
        paintSpotlight(card(item, true)); // e.g. pinned since, or edited
      }
      renderNext();
      if (!view.progress.classList.contains("wall-progress--run")) restartProgress();
    }
  }

  // --- Polling -------------------------------------------------------------------------------

  function online(ok) {
    state.failing = !ok;
    if (ok) state.lastOk = new Date();
    if (view.offline) view.offline.hidden = ok;
    body.classList.toggle("is-offline", !ok);
    if (view.updated) {
      view.updated.textContent = state.lastOk
        ? `${ok ? "Updated" : "Last update"} ${state.clock(state.lastOk)}`
        : "Not updated yet";
      // The call to join in shares its line with this status: fit it again when it widens.
      const width = view.updated.parentElement.offsetWidth;
      if (width !== state.statusWidth) {
        state.statusWidth = width;
        fitLine(view.cta);
      }
    }
  }

  async function poll() {
    clearTimeout(state.pollTimer);
    if (state.polling) return;
    state.polling = true;
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), Math.max(refreshMs, 10000));
    try {
      const response = await fetch(api, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      apply(await response.json());
      online(true);
    } catch (error) {
      online(false);
    } finally {
      state.polling = false;
      clearTimeout(timeout);
      const wait = state.failing ? Math.min(refreshMs * 2, 30000) : refreshMs;
      if (!document.hidden || mode === "wall") state.pollTimer = setTimeout(poll, wait);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });

  // --- Full screen, keys and the idle cursor -------------------------------------------------

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else if (document.fullscreenEnabled) {
      document.documentElement.requestFullscreen().catch(() => {});
    }
  }

  if (view.fullscreen) {
    view.fullscreen.hidden = !document.fullscreenEnabled;
    view.fullscreen.addEventListener("click", toggleFullscreen);
    document.addEventListener("fullscreenchange", () => {
      body.classList.toggle("is-fullscreen", Boolean(document.fullscreenElement));
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (mode === "wall" && (event.key === "f" || event.key === "F")) {
      event.preventDefault();
      toggleFullscreen();
    } else if (event.key === "ArrowRight" && view.spotlight) {
      advance();
    }
  });

  let idleTimer = null;
  function awake() {
    body.classList.remove("is-idle");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => body.classList.add("is-idle"), 3000);
  }
  if (mode === "wall") {
    document.addEventListener("mousemove", awake);
    awake();
  }

  // --- Start: paint what the page came with, then poll ---------------------------------------

  document.documentElement.style.setProperty("--rotate", `${rotateMs}ms`);
  const initial = $("wall-data");
  try {
    apply(initial ? JSON.parse(initial.textContent) : {});
    online(true);
  } catch (error) {
    online(false);
  }
  if (view.spotlight && state.current === null) advance();
  state.pollTimer = setTimeout(poll, refreshMs);
})();
