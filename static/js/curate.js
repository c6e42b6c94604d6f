/* The curator queue: keyboard shortcuts, selection for bulk actions, messages from htmx, the
 * undo of the last action, the header counts and the news of posts that arrived.
 *
 * Actions are ordinary forms (they work without JavaScript); htmx posts them and swaps the
 * item's row. This file only clicks those forms' buttons for the shortcuts, remembers which
 * item is current across swaps, and writes messages with textContent (never innerHTML).
 * Each action's answer ("curated") carries its message, the events to undo and the counts:
 * the undo form (a plain form too) is shown for data-undo-seconds, z presses it. Every
 * data-news-seconds while the tab is visible the queue asks data-news-url what arrived since its
 * mark through its filters, and offers to show it (the newest page again).
 */
(function () {
  "use strict";

  const queue = document.querySelector("[data-queue]");
  if (!queue) return;
  const status = document.getElementById("curate-status");
  const help = document.getElementById("curate-help");
  const selectAll = queue.querySelector("[data-select-all]");
  const selectedCount = queue.querySelector("[data-selected-count]");
  const undoForm = document.getElementById("undo-form");
  const undoEvents = undoForm && undoForm.querySelector("[data-undo-events]");
  const undoLeft = undoForm && undoForm.querySelector("[data-undo-left]");
  const news = queue.querySelector("[data-news]");
  const newsLink = news && news.querySelector("[data-news-link]");
  const undoSeconds = Number(queue.dataset.undoSeconds) || 10;
  const newsSeconds = Number(queue.dataset.newsSeconds) || 15;
  let currentKey = null;
  let undoTimer = null;

  const rows = () => Array.from(queue.querySelectorAll(".queue-item"));
  const rowOf = (key) => rows().find((row) => row.dataset.key === key) || null;
  const current = () => (currentKey ? rowOf(currentKey) : null);

  function say(message, isError) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("curate-status--error", Boolean(isError));
  }

  function markCurrent(row, focus) {
    rows().forEach((r) => r.classList.remove("is-current"));
    if (!row) return;
    row.classList.add("is-current");
    currentKey = row.dataset.key;
    if (focus) {
      row.setAttribute("tabindex", "-1");
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(current());
    const next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    markCurrent(all[next], true);
  }

  function notHere(row, action) {
    const kind = row.dataset.key.split(":")[0];
    const state = row.dataset.status;
    if (kind === "story" && action === "feature") return "Stories are approved (a), not featured.";
    if (state === "hidden") return "It is hidden: u unhides it, back as it was before.";
    if (action === "approve") return `Already ${state}: approve changes nothing.`;
    return `Nothing to ${action} here: it is already done.`;
  }

  function press(action) {
    const row = current();
    if (!row) {
      say("Choose an item first: j moves down, k up.", true);
      return;
    }
    let button = row.querySelector(`button[data-action="${action}"]`);
    if (!button && action === "feature") button = row.querySelector('button[data-action="unfeature"]');
    if (!button) {
      say(notHere(row, action));
      return;
    }
    button.click();
  }

  function showCounts(counts) {
    if (!counts) return;
    queue.querySelectorAll("[data-count]").forEach((node) => {
      const value = counts[node.dataset.count];
      if (typeof value === "number") node.textContent = String(value);
    });
  }

  function undoHide() {
    if (undoTimer) clearInterval(undoTimer);
    undoTimer = null;
    if (undoForm) undoForm.hidden = true;
  }

  function undoOffer(events, seconds) {
    if (!undoForm) return;
    if (undoTimer) clearInterval(undoTimer);
    if (!events) {
      undoHide();
      return;
    }
    if (events !== true) undoEvents.value = events;
    let left = seconds;
    const tick = () => {
      if (left <= 0) {
        undoHide();
        return;
      }
      if (undoLeft) undoLeft.textContent = `${left} s`;
      left -= 1;
    };
    undoForm.hidden = false;
    tick();
    undoTimer = setInterval(tick, 1000);
  }

  function plural(n, capped, one, many) {
    return `${n}${capped ? "+" : ""} ${n === 1 && !capped ? one : many}`;
  }

  function showNews(answer) {
    showCounts(answer.counts);
    if (!news || !newsLink) return;
    const parts = [];
    const capped = (n) => Boolean(answer.more) && n >= answer.cap;
    if (answer.posts) parts.push(plural(answer.posts, capped(answer.posts), "new post", "new posts"));
    if (answer.stories) {
      parts.push(plural(answer.stories, capped(answer.stories), "new story", "new stories"));
    }
    news.hidden = parts.length === 0;
    if (parts.length) {
      newsLink.textContent = `${parts.join(" and ")} since you opened the queue: show them`;
    }
  }

  async function checkNews() {
    if (document.hidden || !queue.dataset.newsUrl) return;
    const params = new URLSearchParams(queue.dataset.query || "");
    params.set("mark", queue.dataset.mark || "");
    try {
      const response = await fetch(`${queue.dataset.newsUrl}?${params}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) showNews(await response.json());
    } catch (err) {
      /* offline for a moment: the next check tries again */
    }
  }

  function updateCount() {
    const checks = queue.querySelectorAll(".queue-item__check");
    const checked = queue.querySelectorAll(".queue-item__check:checked").length;
    if (selectedCount) selectedCount.textContent = `${checked} selected`;
    if (selectAll) {
      selectAll.checked = checks.length > 0 && checked === checks.length;
      selectAll.indeterminate = checked > 0 && checked < checks.length;
    }
  }

  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) help.querySelector("[data-help-close]").focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && help && !help.hidden) {
      toggleHelp(false);
      return;
    }
    const target = event.target;
    if (target.matches && target.matches(".queue-item__position") && event.key === "Enter") {
      // Enter in a position field pins at it (the form's first button would approve).
      event.preventDefault();
      const pin = target.closest("form").querySelector('button[data-action="pin"]');
      if (pin) pin.click();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const keys = {
      j: () => move(1),
      k: () => move(-1),
      a: () => press("approve"),
      f: () => press("feature"),
      h: () => press("hide"),
      u: () => press("unhide"),
      p: () => {
        const row = current();
        const field = row && row.querySelector(".queue-item__position");
        if (field) {
          field.focus();
          field.select();
        }
      },
      x: () => {
        const check = current() && current().querySelector(".queue-item__check");
        if (check) {
          check.checked = !check.checked;
          updateCount();
        }
      },
      z: () => {
        const button = undoForm && !undoForm.hidden && undoForm.querySelector("[data-undo-button]");
        if (button) button.click();
        else say("Nothing to undo now: an admin can revert older actions from the audit log.");
      },
      "?": () => toggleHelp(),
    };
    const handler = keys[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  queue.addEventListener("click", (event) => {
    const row = event.target.closest(".queue-item");
    if (row) markCurrent(row, false);
  });
  queue.addEventListener("change", (event) => {
    if (event.target === selectAll) {
      queue.querySelectorAll(".queue-item__check").forEach((check) => {
        check.checked = selectAll.checked;
      });
    }
    updateCount();
  });
  queue.querySelectorAll("[data-help-open]").forEach((button) =>
    button.addEventListener("click", () => toggleHelp(true)));
  if (help) {
    help.querySelector("[data-help-close]").addEventListener("click", () => toggleHelp(false));
    help.addEventListener("click", (event) => {
      if (event.target === help) toggleHelp(false);
    });
  }

  // A swapped-in row (one action, or a bulk action's rows) keeps being the current one.
  document.body.addEventListener("htmx:load", (event) => {
    const row = event.target.closest && event.target.closest(".queue-item");
    if (row && row.dataset.key === currentKey) markCurrent(row, true);
    updateCount();
  });
  document.body.addEventListener("curated", (event) => {
    const detail = event.detail || {};
    say(detail.message || "Done.", false);
    showCounts(detail.counts);
    undoOffer(detail.undo, Number(detail.undo_seconds) || undoSeconds);
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const text = (event.detail.xhr && event.detail.xhr.responseText) || "";
    say(text.slice(0, 300) || "That did not work; reload the page and try again.", true);
  });
  document.body.addEventListener("htmx:sendError", () => {
    say("The server could not be reached; nothing was changed. Try again.", true);
  });

  updateCount();
  if (undoForm && !undoForm.hidden) undoOffer(true, undoSeconds);
  setInterval(checkNews, newsSeconds * 1000);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) checkNews();
  });
})();
