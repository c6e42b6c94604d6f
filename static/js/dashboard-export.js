/* Reports from the dashboard: each chart's data as a table (in a <details> under it), as a CSV
   file, and the chart itself as a PNG. All built in the browser from the JSON already loaded.

   CSV: every field quoted; a text cell starting with = + - @ (or a tab / carriage return) gets
   a leading apostrophe so a spreadsheet shows it instead of running it as a formula. Numbers
   stay numbers (a negative change is data, not a formula). */
(function () {
  "use strict";
  const NS = (window.NhitDash = window.NhitDash || {});
  const { el } = window.NhitDom;
  const models = {}; // name -> latest table model
  const tableHosts = {}; // name -> <details> element holding the table

  function csvCell(value) {
    if (value === null || value === undefined) return '""';
    let text = String(value);
    if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return '"' + text.replace(/"/g, '""') + '"';
  }

  function csvText(model) {
    const lines = [model.columns, ...model.rows].map((row) => row.map(csvCell).join(","));
    return lines.join("\r\n") + "\r\n";
  }

  function fileStem(name) {
    const root = document.getElementById("dashboard");
    const stamp = luxon.DateTime.now().toFormat("yyyyLLdd-HHmm");
    return `${root.dataset.campaign}-${name}-${stamp}`;
  }

  function download(href, filename) {
    const link = el("a", { href, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function downloadCsv(name) {
    const model = models[name];
    if (!model) return;
    // The byte order mark lets spreadsheet programs read the file as UTF-8.
    const blob = new Blob(["\ufeff" + csvText(model)], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    download(url, fileStem(name) + ".csv");
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function downloadPng(name) {
    const chart = NS.charts && NS.charts[name];
    if (!chart) return;
    download(chart.toBase64Image("image/png", 1), fileStem(name) + ".png");
  }

  function renderTable(name) {
    const host = tableHosts[name];
    const model = models[name];
    if (!host || !model || !host.open) return;
    const wrap = host.querySelector(".data-table-wrap");
    wrap.replaceChildren(NS.tableElement(model));
  }

  /* The latest data of one chart or list; its table is drawn when (and while) it is open. */
  function publish(name, model) {
    models[name] = model;
    renderTable(name);
    document
      .querySelectorAll(`[data-csv="${name}"]`)
      .forEach((button) => (button.disabled = false));
  }

  function bind(root) {
    root.querySelectorAll("details[data-table]").forEach((details) => {
      const name = details.dataset.table;
      tableHosts[name] = details;
      details.addEventListener("toggle", () => renderTable(name));
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-csv], button[data-png]");
      if (!button) return;
      if (button.dataset.csv) downloadCsv(button.dataset.csv);
      else downloadPng(button.dataset.png);
    });
  }

  Object.assign(NS, { csvCell, csvText, publish, bindExports: bind, tableModels: models });
})();
