/* The curator queue: keyboard shortcuts, selection for bulk actions, messages from htmx.
 *
 * Actions are ordinary forms (they work without JavaScript); htmx posts them and swaps the
 * item's row. This file only clicks those forms' buttons for the shortcuts, remembers which
 * item is current across swaps, and writes messages with textContent (never innerHTML).
 */
(function () {
  "use strict";

  const queue = document.querySelector("[data-queue]");
  if (!queue) return;
  const status = document.getElementById("curate-status");
  const help = document.getElementById("curate-help");
  const selectAll = queue.querySelector("[data-select-all]");
  const selectedCount = queue.querySelector("[data-selected-count]");
  let currentKey = null;

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

  function press(action) {
    const row = current();
    if (!row) {
      say("Choose an item first: j moves down, k up.", true);
      return;
    }
    let button = row.querySelector(`button[data-action="${action}"]`);
    if (!button && action === "feature") button = row.querySelector('button[data-action="unfeature"]');
    if (!button) {
      const kind = row.dataset.key.split(":")[0];
      say(kind === "story" && action === "feature"
        ? "Stories are approved (a), not featured."
        : `Nothing to ${action} here: it is already done.`);
      return;
    }
    button.click();
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
    say((event.detail && event.detail.message) || "Done.", false);
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const text = (event.detail.xhr && event.detail.xhr.responseText) || "";
    say(text.slice(0, 300) || "That did not work; reload the page and try again.", true);
  });
  document.body.addEventListener("htmx:sendError", () => {
    say("The server could not be reached; nothing was changed. Try again.", true);
  });

  updateCount();
})();
