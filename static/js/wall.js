/* The event wall and its embeds: paint the answer from #wall-data, then poll the JSON.
 *
 * body data-: api (the JSON URL), refresh (seconds between polls), rotate (seconds each item
 * stays in the spotlight), mode: "wall" (full screen), "compact" (embed), "list" (featured embed).
 * Every value from the server goes into the page through textContent, never as HTML (elements
 * and links from dom.js); a campaign colour only as a CSS variable, and only when it is #rrggbb.
 * A poll that fails keeps what is on screen and says it is reconnecting; the next one retries.
 * Items that arrive in a poll go to the front of "Up next", so a post a curator just featured
 * is on screen within one refresh interval. Keys: F full screen, right arrow next item.
 * Times are the campaign's, in the 24-hour format the posts use.
 */
(function () {
  "use strict";

  const { el, webUrl, externalLink, tagColor, formatNumber, zoneClock } = window.NhitDom;
  const body = document.body;
  const mode = body.dataset.mode || "wall";
  const api = body.dataset.api;
  const refreshMs = seconds(body.dataset.refresh, 5) * 1000;
  const rotateMs = seconds(body.dataset.rotate, 8) * 1000;
  const NEXT_COUNT = mode === "compact" ? 2 : 4;
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

  function show(key) {
    state.current = key;
    state.currentSignature = key ? JSON.stringify(state.byKey.get(key)) : "";
    view.spotlight.replaceChildren(key ? card(state.byKey.get(key), true) : emptyCard());
    const first = view.spotlight.firstElementChild;
    first.classList.add("card--enter");
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
      ...upcoming(NEXT_COUNT).map((key) => {
        const li = el("li", { class: "wall-next__item" });
        li.append(card(state.byKey.get(key), false, false, true));
        return li;
      })
    );
    fitNext();
  }

  // A card cut in half at the bottom of the column reads badly from afar: leave it out.
  function fitNext() {
    if (!view.next) return;
    const room = view.next.clientHeight;
    for (const li of view.next.children) {
      li.hidden = false;
      li.hidden = li.offsetTop + li.offsetHeight > room + 1;
    }
  }
  window.addEventListener("resize", fitNext);

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
        view.spotlight.replaceChildren(card(item, true)); // e.g. pinned since, or edited
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
