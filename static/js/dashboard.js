/* The campaign dashboard: reads its settings from #dashboard's data- attributes, fetches every
   endpoint under data-api with the controls' parameters, and draws the panels.

   Live: while the tab is visible it refreshes every data-refresh seconds (Page Visibility API;
   hidden tabs cost the server nothing) and says when it last did. A failed fetch shows a banner
   and keeps the last data on screen. The controls live in the URL (history.replaceState), so a
   dashboard view can be bookmarked or shared. Times are drawn in the campaign's zone. */
(function () {
  "use strict";
  const NS = window.NhitDash;
  const root = document.getElementById("dashboard");
  if (!root || !NS || !window.Chart || !window.luxon) return;
  const { el, formatNumber } = window.NhitDom;

  const zone = root.dataset.timezone;
  luxon.Settings.defaultZone = zone;
  NS.setChartDefaults();
  NS.bindExports(root);

  const api = root.dataset.api;
  const refreshMs = Math.min(Math.max(Number(root.dataset.refresh) || 10, 1), 60) * 1000;
  const form = document.getElementById("dash-controls");
  const banner = document.getElementById("dash-error");
  const updated = document.getElementById("dash-updated");
  const liveState = document.getElementById("dash-live");
  const ENDPOINTS = ["summary", "volume", "coverage", "top-posts", "contributors", "heatmap", "yoy"];
  const LISTS = new Set(["top-posts", "contributors"]);
  const last = {}; // endpoint -> its latest good answer
  let timer = null;
  let inFlight = false;
  let again = false;
  let lastSuccess = null;

  /* ---- Parameters ------------------------------------------------------------------------ */
  function filters() {
    const data = new FormData(form);
    const out = new URLSearchParams();
    ["range", "granularity", "platform", "hashtag"].forEach((name) => {
      const value = data.get(name);
      if (value) out.set(name, value);
    });
    if (data.get("range") === "custom") {
      out.set("start", data.get("start") || "");
      out.set("end", data.get("end") || "");
    }
    return out;
  }

  function stacked() {
    return form.elements.stacked.checked;
  }

  function syncControls() {
    const custom = form.elements.range.value === "custom";
    form.querySelector("[data-custom-range]").hidden = !custom;
    form.elements.start.required = form.elements.end.required = custom;
    const shown = filters();
    if (stacked()) shown.set("stacked", "1");
    const own = new URLSearchParams(window.location.search);
    if (own.get("refresh")) shown.set("refresh", own.get("refresh"));
    const qs = shown.toString();
    history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
  }

  function customIncomplete() {
    const els = form.elements;
    return els.range.value === "custom" && (!els.start.value || !els.end.value);
  }

  /* ---- Fetching -------------------------------------------------------------------------- */
  async function getJson(name, params) {
    const query = new URLSearchParams(params);
    if (LISTS.has(name)) query.set("limit", "10");
    let response;
    try {
      response = await fetch(`${api}${name}?${query}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (err) {
      throw new Error(`${name}: the server could not be reached`);
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(`${name}: ${(body && body.error) || "HTTP " + response.status}`);
    }
    return body;
  }

  /* ---- Drawing --------------------------------------------------------------------------- */
  const DRAW = {
    summary(data) {
      NS.drawSummary(root, data);
      NS.drawPlatforms(document.getElementById("platforms-chart"), data.platforms || []);
      NS.publish("platforms", NS.platformModel(data));
    },
    volume: drawVolume,
    coverage(data) {
      root.querySelector("[data-coverage-summary]").textContent = NS.coverageSentence(data);
      root.querySelector("[data-coverage-issues]").replaceChildren(
        ...NS.coverageIssues(data).map((issue) =>
          el("li", {}, [
            el("span", { class: `swatch swatch--${issue.swatch}` }),
            el("strong", { text: issue.source }),
            issue.text,
          ])
        )
      );
      NS.publish("coverage", NS.coverageModel(data));
    },
    "top-posts"(data) {
      NS.drawTopPosts(root, data);
    },
    contributors(data) {
      NS.drawContributors(root, data);
    },
    heatmap(data) {
      NS.drawHeatmap(root.querySelector("[data-heatmap]"), data);
    },
    yoy(data) {
      const panel = root.querySelector("[data-yoy]");
      panel.querySelector("[data-yoy-message]").textContent = data.message || "";
      const change = panel.querySelector("[data-yoy-change]");
      change.hidden = !data.available;
      if (data.available) {
        const direction = NS.changeDirection(data.change_pct);
        change.className = `yoy-change metric__change--${direction}`;
        const pct = data.change_pct === null ? "" : `${NS.formatChange(data.change_pct)}: `;
        change.textContent = `${pct}${formatNumber(data.current_total)} posts vs ${formatNumber(
          data.previous_total
        )} at the same point of ${data.previous.name}`;
      }
      panel.querySelector(".chart-box").hidden = !data.available;
      if (data.available) NS.drawYoy(document.getElementById("yoy-chart"), data);
      NS.publish("yoy", NS.yoyModel(data));
    },
  };

  function drawVolume(data) {
    NS.drawVolume(document.getElementById("volume-chart"), data, last.coverage, {
      stacked: stacked(),
      zone,
    });
    const granularity = root.querySelector("[data-volume-granularity]");
    granularity.textContent = `per ${data.granularity}, ${NS.formatWhen(data.start)} – ${NS.formatWhen(
      data.end
    )}`;
    root.querySelector("[data-volume-mode]").textContent =
      stacked() && NS.stacksTotal(data)
        ? "Stacked by platform: every post of the campaign once, split by platform."
        : "";
    NS.publish("volume", NS.volumeModel(data, { stacked: stacked() }));
  }

  function draw(name, data) {
    try {
      DRAW[name](data);
      return null;
    } catch (err) {
      console.error(`The ${name} panel could not be drawn`, err);
      return `${name}: could not be drawn`;
    }
  }

  /* ---- Status ---------------------------------------------------------------------------- */
  function showStatus(errors) {
    const now = luxon.DateTime.now();
    if (errors.length < ENDPOINTS.length) {
      lastSuccess = now;
      updated.textContent = `Updated ${now.toFormat("HH:mm:ss")}`;
      updated.setAttribute("datetime", now.toISO());
      root.dataset.updated = now.toISO();
    }
    if (errors.length) {
      const since = lastSuccess
        ? ` Showing the data from ${lastSuccess.toFormat("HH:mm:ss")}.`
        : "";
      banner.textContent = `Could not refresh: ${errors.join("; ")}.${since}`;
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.textContent = "";
    }
    root.dataset.loaded = "true";
  }

  function showLive() {
    const seconds = refreshMs / 1000;
    liveState.textContent = document.hidden
      ? "Paused while this tab is hidden"
      : `Live, every ${seconds} s`;
    liveState.classList.toggle("dash-live--paused", document.hidden);
    root.dataset.live = document.hidden ? "paused" : "on";
  }

  /* ---- The refresh loop ------------------------------------------------------------------ */
  function schedule() {
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(refresh, refreshMs);
  }

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    clearTimeout(timer);
    // A custom range waits for both ends (the inputs are required; the browser says so).
    if (customIncomplete()) return;
    inFlight = true;
    const params = filters();
    const results = await Promise.allSettled(ENDPOINTS.map((name) => getJson(name, params)));
    const errors = [];
    // Coverage first: the volume chart shades its gaps.
    const order = ["coverage", ...ENDPOINTS.filter((n) => n !== "coverage")];
    order.forEach((name) => {
      const result = results[ENDPOINTS.indexOf(name)];
      if (result.status === "rejected") {
        errors.push(result.reason.message);
        return;
      }
      last[name] = result.value;
      const failure = draw(name, result.value);
      if (failure) errors.push(failure);
    });
    showStatus(errors);
    inFlight = false;
    if (again) {
      again = false;
      refresh();
    } else {
      schedule();
    }
  }

  /* ---- Wiring ---------------------------------------------------------------------------- */
  form.addEventListener("change", (event) => {
    syncControls();
    if (event.target.name === "stacked") {
      if (last.volume) draw("volume", last.volume);
      return;
    }
    refresh();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    syncControls();
    refresh();
  });
  document.addEventListener("visibilitychange", () => {
    showLive();
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else {
      refresh();
    }
  });

  syncControls();
  showLive();
  refresh();
})();
