/* The hosts' live page of a chat: reads /c/<slug>/api/chats/<chat>/live every few seconds
   while the tab is visible (and at once when it comes back), and draws the question under
   way, the rate of the last minutes, the answers per question and the newest answers.

   Post text, names and handles go in as text (NhitDom.el), links only through
   NhitDom.externalLink; times are shown in the campaign's zone. */
(function () {
  "use strict";

  const root = document.getElementById("chat-live");
  if (!root) return;
  const { el, externalLink, formatNumber, zoneClock } = window.NhitDom;
  const api = root.dataset.api;
  const refreshMs = Math.max(Number(root.dataset.refresh) || 5, 2) * 1000;
  const zone = root.dataset.timezone;
  const timeFormat = zoneClock(zone);
  const STATES = {
    upcoming: "Not started",
    live: "● Live",
    wrap_up: "Wrap-up: late answers still count",
    ended: "Ended",
  };
  const part = (name) => root.querySelector(`[data-live-${name}]`);
  let timer = null;
  let running = false;
  let failures = 0;

  function clock(iso) {
    return iso ? timeFormat(new Date(iso)) : "";
  }

  function sectionLabel(current) {
    if (current.section === "intro") return "Intro (before the first question)";
    if (current.section === "wrap_up") return "Wrap-up";
    return `Q${current.number}`;
  }

  function postNode(post) {
    const author = post.author || {};
    return el("article", { class: `chat-post chat-post--${post.kind}` }, [
      el("header", { class: "chat-post__head" }, [
        el("span", { class: "chat-post__name", text: author.name || author.handle || "" }),
        el("span", { class: "chat-post__handle", text: author.handle || "" }),
        el("span", { class: "chat-post__platform", text: post.platform_label || "" }),
        el("time", { class: "chat-post__time", datetime: post.created_at, text: clock(post.created_at) }),
      ]),
      el("p", { class: "chat-post__text", text: post.text || "" }),
      el("footer", { class: "chat-post__foot" }, [
        `${formatNumber(post.likes)} likes · ${formatNumber(post.reposts)} reposts · `,
        externalLink(post.url, `View on ${post.platform_label || "the network"}`),
      ]),
    ]);
  }

  function draw(data) {
    part("state").textContent = STATES[data.status] || data.status;
    part("state").dataset.state = data.status;
    part("updated").textContent = `Updated ${clock(data.now)}; counted at ${clock(data.as_of)} (${zone})`;
    part("label").textContent = sectionLabel(data.current);
    part("question").textContent = data.current.text || "";
    part("rate").textContent = String(data.posts_per_minute);
    part("rate-note").textContent = `(last ${data.rate_minutes} min)`;
    const question = data.questions.find((q) => q.number === data.current.number);
    part("answers").textContent = question ? formatNumber(question.answers) : "–";
    part("posts").textContent = formatNumber(data.posts);
    part("participants").textContent = formatNumber(data.participants);
    part("questions").replaceChildren(
      ...data.questions.map((q) =>
        el("li", { class: q.number === data.current.number ? "is-current" : null }, [
          el("span", { class: "chat-live__qnum", text: `Q${q.number}` }),
          " ",
          el("span", { class: "chat-live__qtext", text: q.text || "" }),
          " ",
          el("strong", { text: `${formatNumber(q.answers)} answers` }),
          `, ${formatNumber(q.participants)} people`,
        ])
      )
    );
    part("newest").replaceChildren(...data.answers.map(postNode));
    part("empty").hidden = data.answers.length > 0;
  }

  async function poll() {
    timer = null;
    running = true;
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), Math.max(refreshMs, 10000));
    try {
      const response = await fetch(api, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
      draw(data);
      failures = 0;
      part("error").hidden = true;
    } catch (err) {
      failures += 1;
      part("error").textContent = `The live numbers could not be loaded (${err.message}); trying again.`;
      part("error").hidden = false;
      part("state").textContent = "Not updating";
      part("state").dataset.state = "error";
    } finally {
      clearTimeout(abort);
      running = false;
    }
    if (!document.hidden) timer = setTimeout(poll, refreshMs * Math.min(2 ** failures, 6));
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer === null && !running) poll();
  });
  poll();
})();
