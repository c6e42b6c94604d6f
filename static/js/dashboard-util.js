/* Dashboard helpers shared by the other dashboard-*.js files: numbers, times in the campaign's
   zone, and tables that double as CSV. Elements, links and plain numbers come from dom.js
   (window.NhitDom): network content only through textContent or a checked attribute. */
(function () {
  "use strict";
  const NS = (window.NhitDash = window.NhitDash || {});
  const { el, formatNumber } = window.NhitDom;

  const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

  function formatCompact(value) {
    if (typeof value !== "number") return "–";
    return value >= 100000 ? compact.format(value) : formatNumber(value);
  }

  /* "+12.5%", "−3%", "0%"; null (nothing before to compare with) is a dash. */
  function formatChange(pct) {
    if (pct === null || pct === undefined) return "—";
    const rounded = Math.abs(pct) >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10;
    if (rounded === 0) return "0%";
    return (rounded > 0 ? "+" : "−") + Math.abs(rounded) + "%";
  }

  function changeDirection(pct) {
    if (pct === null || pct === undefined || Math.round(pct * 10) === 0) return "flat";
    return pct > 0 ? "up" : "down";
  }

  /* Luxon DateTime in the campaign's zone (Settings.defaultZone is set by dashboard.js). */
  function when(iso) {
    return luxon.DateTime.fromISO(iso);
  }

  function formatWhen(iso, format) {
    if (!iso) return "";
    const dt = when(iso);
    return dt.isValid ? dt.toFormat(format || "ccc d LLL, HH:mm") : "";
  }

  /* "24 hours", "7 days", "3 days 4 hours": the length of a window, for "vs the previous …". */
  function formatSpan(startIso, endIso) {
    const minutes = Math.round(when(endIso).diff(when(startIso), "minutes").minutes);
    if (!(minutes > 0)) return "";
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    const parts = [];
    if (days) parts.push(days + (days === 1 ? " day" : " days"));
    if (hours) parts.push(hours + (hours === 1 ? " hour" : " hours"));
    if (mins && !days) parts.push(mins + (mins === 1 ? " minute" : " minutes"));
    return parts.join(" ");
  }

  /* A table model {caption, columns, rows} rendered as an accessible <table>. */
  function tableElement(model) {
    const table = el("table", { class: "data-table" });
    if (model.caption) table.append(el("caption", { text: model.caption }));
    const head = el("tr", {}, model.columns.map((c) => el("th", { scope: "col", text: c })));
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    model.rows.forEach((row) => {
      body.append(
        el(
          "tr",
          {},
          row.map((cell, i) =>
            i === 0
              ? el("th", { scope: "row", text: cell })
              : el("td", { class: typeof cell === "number" ? "num" : null, text: cell })
          )
        )
      );
    });
    if (!model.rows.length) {
      body.append(el("tr", {}, [el("td", { colspan: model.columns.length, text: "No data." })]));
    }
    table.append(body);
    return table;
  }

  Object.assign(NS, {
    formatCompact,
    formatChange,
    changeDirection,
    when,
    formatWhen,
    formatSpan,
    tableElement,
  });
})();
