/* The dashboard's non-chart panels: headline numbers, the hour-by-weekday heat map, top posts
   and top contributors. Each draw* function takes the endpoint's JSON, replaces its panel's
   content (built with createElement/textContent only) and publishes a table model for the
   panel's data table and CSV. */
(function () {
  "use strict";
  const NS = (window.NhitDash = window.NhitDash || {});
  const { el, externalLink, webUrl, formatNumber } = window.NhitDom;

  const METRICS = [
    ["posts", "Posts"],
    ["unique_authors", "Unique authors"],
    ["reposts", "Reposts"],
    ["likes", "Likes"],
    ["replies", "Replies"],
    ["potential_reach", "Potential reach"],
  ];
  const HEAT_LEVELS = 10;

  /* ---- Headline numbers ---------------------------------------------------------------- */
  function drawSummary(root, summary) {
    const span = NS.formatSpan(summary.previous.start, summary.previous.end);
    const previousText = `the previous ${span || "period"} (${NS.formatWhen(
      summary.previous.start
    )} – ${NS.formatWhen(summary.previous.end)})`;
    METRICS.forEach(([key]) => {
      const card = root.querySelector(`[data-metric="${key}"]`);
      const metric = summary.metrics[key];
      if (!card || !metric) return;
      card.querySelector(".metric__value").textContent = NS.formatCompact(metric.value);
      card.querySelector(".metric__value").title = formatNumber(metric.value);
      const change = card.querySelector(".metric__change");
      const direction = NS.changeDirection(metric.change_pct);
      const arrow = { up: "▲", down: "▼", flat: "" }[direction];
      change.className = `metric__change metric__change--${direction}`;
      change.replaceChildren(
        el("span", { "aria-hidden": "true", text: arrow ? arrow + " " : "" }),
        NS.formatChange(metric.change_pct),
        el("span", { class: "metric__previous", text: ` vs ${formatNumber(metric.previous)}` })
      );
      change.title = `Compared with ${previousText}`;
    });
    const previous = root.querySelector("[data-previous-period]");
    if (previous) previous.textContent = `Changes compare with ${previousText}.`;
    const asOf = root.querySelector("[data-authors-as-of]");
    if (asOf) {
      asOf.textContent = summary.authors_as_of
        ? `Unique authors and potential reach as of ${NS.formatWhen(summary.authors_as_of)}.`
        : "";
    }
    const notes = summary.notes || {};
    if (notes.reach) root.querySelector("[data-note-reach]").textContent = notes.reach;
    if (notes.counting) root.querySelector("[data-note-counting]").textContent = notes.counting;
    NS.publish("summary", {
      caption: "Headline numbers",
      columns: ["Metric", "Value", "Previous period", "Change %"],
      rows: METRICS.filter(([key]) => summary.metrics[key]).map(([key, label]) => {
        const m = summary.metrics[key];
        return [label, m.value, m.previous, m.change_pct === null ? "" : m.change_pct];
      }),
    });
  }

  function platformModel(summary) {
    return {
      caption: "Posts, reposts and engagement per platform",
      columns: ["Platform", "Posts", "Reposts", "Engagement"],
      rows: (summary.platforms || []).map((p) => [p.label, p.posts, p.reposts, p.engagement]),
    };
  }

  /* ---- Heat map: a table whose cells are shaded by CSS class (heat-0 … heat-9) ----------- */
  function heatLevel(value, max) {
    if (!value || !max) return 0;
    return Math.max(1, Math.ceil((value / max) * (HEAT_LEVELS - 1)));
  }

  function drawHeatmap(host, heatmap) {
    const max = Math.max(0, ...heatmap.cells.flat());
    const table = el("table", { class: "heatmap" }, [
      el("caption", {
        class: "visually-hidden",
        text: `Posts by weekday and hour of day (${heatmap.timezone})`,
      }),
    ]);
    const head = el("tr", {}, [el("td")]);
    heatmap.hours.forEach((h) =>
      head.append(el("th", { scope: "col", text: String(h).padStart(2, "0") }))
    );
    const body = el("tbody");
    heatmap.days.forEach((day, d) => {
      const row = el("tr", {}, [el("th", { scope: "row", text: day })]);
      heatmap.cells[d].forEach((value, h) => {
        const hour = String(heatmap.hours[h]).padStart(2, "0");
        row.append(
          el("td", {
            class: `heat-${heatLevel(value, max)}`,
            title: `${day} ${hour}:00: ${formatNumber(value)} posts`,
            text: value ? NS.formatCompact(value) : "",
          })
        );
      });
      body.append(row);
    });
    table.append(el("thead", {}, [head]), body);
    host.replaceChildren(table);
    NS.publish("heatmap", {
      caption: `Posts by weekday and hour (${heatmap.timezone})`,
      columns: ["Day", ...heatmap.hours.map((h) => `${String(h).padStart(2, "0")}:00`)],
      rows: heatmap.days.map((day, d) => [day, ...heatmap.cells[d]]),
    });
  }

  /* ---- Top posts ----------------------------------------------------------------------- */
  function postCard(post) {
    const author = post.author || {};
    const who = el("p", { class: "post__author" }, [
      el("bdi", { class: "post__name", text: author.name || author.handle || "unknown" }),
      " ",
      externalLink(author.url, "@" + (author.handle || ""), "post__handle"),
      el("span", { class: "post__platform", text: post.platform_label || post.platform }),
      el("span", {
        class: "post__followers",
        text: `${NS.formatCompact(author.followers)} followers`,
      }),
    ]);
    const badges = el("p", { class: "post__badges" });
    if (post.featured) badges.append(el("span", { class: "badge badge--featured", text: "Featured" }));
    if (post.pinned) badges.append(el("span", { class: "badge badge--pinned", text: `Pinned ${post.pinned}` }));
    (post.hashtags || []).forEach((tag) => badges.append(el("span", { class: "badge", text: "#" + tag })));
    const stats = el("p", { class: "post__stats" }, [
      el("span", { class: "post__score", text: `Score ${formatNumber(post.score)}` }),
      ` · ${formatNumber(post.likes)} likes · ${formatNumber(post.reposts)} reposts · `,
      `${formatNumber(post.replies)} replies · ${formatNumber(post.quotes)} quotes · `,
      externalLink(post.url, NS.formatWhen(post.created_at) || "link", "post__when"),
    ]);
    return el("li", { class: post.featured ? "post post--featured" : "post" }, [
      who,
      el("p", { class: "post__text", dir: "auto", text: post.text }),
      badges.childNodes.length ? badges : null,
      stats,
    ]);
  }

  function drawTopPosts(root, data) {
    const list = root.querySelector("[data-top-posts]");
    const posts = data.posts || [];
    list.replaceChildren(...posts.map(postCard));
    if (!posts.length) list.append(el("li", { class: "empty", text: "No posts in this range yet." }));
    if (data.formula) root.querySelector("[data-score-formula]").textContent = data.formula;
    NS.publish("top-posts", {
      caption: "Top posts",
      columns: ["Rank", "Score", "Platform", "Handle", "Name", "Followers", "Text", "Likes",
        "Reposts", "Replies", "Quotes", "Featured", "Created", "URL"],
      rows: posts.map((p, i) => [
        i + 1, p.score, p.platform_label || p.platform, (p.author || {}).handle,
        (p.author || {}).name, (p.author || {}).followers, p.text, p.likes, p.reposts,
        p.replies, p.quotes, p.featured ? "yes" : "", p.created_at, webUrl(p.url),
      ]),
    });
  }

  /* ---- Top contributors ---------------------------------------------------------------- */
  function contributorRow(a, i) {
    return el("tr", {}, [
      el("td", { class: "num", text: i + 1 }),
      el("td", {}, [
        el("bdi", { class: "contributor__name", text: a.name || a.handle }),
        el("br"),
        externalLink(a.url, "@" + a.handle, "contributor__handle"),
        el("span", { class: "contributor__platform", text: a.platform_label || a.platform }),
      ]),
      el("td", { class: "num", text: NS.formatCompact(a.followers) }),
      el("td", { class: "num", text: formatNumber(a.posts) }),
      el("td", { class: "num", text: formatNumber(a.engagement) }),
    ]);
  }

  function drawContributors(root, data) {
    [["by_posts", "[data-contributors-posts]"], ["by_engagement", "[data-contributors-engagement]"]]
      .forEach(([key, selector]) => {
        const body = root.querySelector(selector);
        const rows = (data[key] || []).map(contributorRow);
        if (!rows.length) rows.push(el("tr", {}, [el("td", { colspan: 5, class: "empty", text: "Nobody yet." })]));
        body.replaceChildren(...rows);
      });
    const asOf = root.querySelector("[data-contributors-as-of]");
    asOf.textContent = data.as_of ? `As of ${NS.formatWhen(data.as_of)}.` : "";
    const row = (list) => (a, i) => [list, i + 1, a.handle, a.name, a.platform_label || a.platform,
      a.followers, a.posts, a.engagement, webUrl(a.url)];
    NS.publish("contributors", {
      caption: "Top contributors",
      columns: ["Ranking", "Rank", "Handle", "Name", "Platform", "Followers", "Posts",
        "Engagement", "URL"],
      rows: [
        ...(data.by_posts || []).map(row("by posts")),
        ...(data.by_engagement || []).map(row("by engagement")),
      ],
    });
  }

  Object.assign(NS, {
    drawSummary,
    platformModel,
    heatLevel,
    drawHeatmap,
    drawTopPosts,
    drawContributors,
  });
})();
