/* The dashboard's charts (Chart.js 4 with the Luxon adapter): volume over time with coverage
   gaps shaded on it, year over year, and the platform split.

   Two small plugins of our own: coverageShade fills the spans where a source was rate limited,
   failing or not polled, and tints those an archive import holds (from /api/coverage), behind
   the lines, so a partial number looks partial. Each source shades its own band of the plot
   (a platform's imports shade its sources' bands, or one of their own), with its name, so one
   failing source shades only its own share; the tooltip names what covers the hovered time.
   paperBackground paints the canvas white so a downloaded PNG is readable anywhere.
   Charts are created once and updated in place on every refresh (no animation, no flicker),
   keeping the series a reader hid in the legend hidden. */
(function () {
  "use strict";
  const NS = (window.NhitDash = window.NhitDash || {});
  const charts = (NS.charts = {});

  const PLATFORMS = { x: "X", mastodon: "Mastodon", bluesky: "Bluesky", demo: "Demo" };
  const PLATFORM_ORDER = Object.keys(PLATFORMS);
  const PLATFORM_DASH = { x: [], mastodon: [6, 3], bluesky: [2, 2], demo: [10, 3, 2, 3] };
  const PLATFORM_COLORS = { x: "#24292f", mastodon: "#6364ff", bluesky: "#1185fe", demo: "#bf8700" };
  const BRAND = "#0b5cad";
  const PREVIOUS = "#8c959f";

  function hatch(color, background) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const ctx = tile.getContext("2d");
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, 8);
    ctx.lineTo(8, 0);
    ctx.moveTo(-2, 2);
    ctx.lineTo(2, -2);
    ctx.moveTo(6, 10);
    ctx.lineTo(10, 6);
    ctx.stroke();
    return tile;
  }

  /* What each kind of coverage span means, as the legend, the tooltip and the CSV say it. */
  const COVERAGE_REASONS = {
    imported: "Imported from an archive",
    not_polled: "Not polled",
    rate_limited: "Rate limited",
    error: "Polling failed",
  };

  function reasonText(reason) {
    return (COVERAGE_REASONS[reason] || COVERAGE_REASONS.not_polled).toLowerCase();
  }

  /* The shading of each kind of span; the legend under the chart (CSS) draws the same. */
  function gapFills(ctx) {
    return {
      imported: "rgba(84, 174, 255, 0.16)",
      not_polled: "rgba(140, 149, 159, 0.22)",
      rate_limited: ctx.createPattern(hatch("rgba(191, 135, 0, 0.55)", "rgba(255, 223, 128, 0.25)"), "repeat"),
      error: ctx.createPattern(hatch("rgba(207, 34, 46, 0.5)", "rgba(255, 129, 130, 0.18)"), "repeat"),
    };
  }

  /* The longest of the names that fits the span: source and reason, source, platform. */
  function laneLabel(ctx, texts, left, top, width, height) {
    if (height < 16) return;
    ctx.font = `600 12px ${Chart.defaults.font.family}`;
    const text = texts.find((t) => ctx.measureText(t).width + 8 <= width);
    if (!text) return;
    ctx.fillStyle = "rgba(36, 41, 47, 0.85)";
    ctx.textBaseline = "top";
    ctx.fillText(text, left + 4, top + 3);
  }

  const coverageShade = {
    id: "coverageShade",
    defaults: { lanes: [] },
    beforeDatasetsDraw(chart, args, options) {
      const lanes = options.lanes || [];
      const x = chart.scales.x;
      if (!lanes.length || !x) return;
      const { ctx, chartArea } = chart;
      const fills = gapFills(ctx);
      const height = (chartArea.bottom - chartArea.top) / lanes.length;
      ctx.save();
      lanes.forEach((lane, i) => {
        const top = chartArea.top + i * height;
        lane.spans.forEach((span) => {
          const left = Math.max(x.getPixelForValue(span.start), chartArea.left);
          const right = Math.min(x.getPixelForValue(span.end), chartArea.right);
          if (!(right > left)) return;
          ctx.fillStyle = fills[span.reason] || fills.not_polled;
          ctx.fillRect(left, top, right - left, height);
          const reason = reasonText(span.reason);
          const names = [`${lane.name}: ${reason}`, lane.name, `${lane.label}: ${reason}`];
          laneLabel(ctx, [...names, lane.label], left, top, right - left, height);
        });
      });
      ctx.restore();
    },
  };

  const paperBackground = {
    id: "paperBackground",
    beforeDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };

  function withAlpha(hex, alpha) {
    const match = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!match) return `rgba(11, 92, 173, ${alpha})`;
    const n = parseInt(match[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  function setDefaults() {
    const rootSize = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = Math.round(Math.max(12, rootSize * 0.8));
    Chart.defaults.color = "#1b1f24";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
  }

  /* Create the chart, or give it new data and options while keeping hidden series hidden. */
  function upsert(name, canvas, config) {
    const chart = charts[name];
    if (!chart) {
      charts[name] = new Chart(canvas, config);
      return charts[name];
    }
    const hidden = new Set(
      chart.data.datasets.filter((d, i) => !chart.isDatasetVisible(i)).map((d) => d.label)
    );
    config.data.datasets.forEach((d) => (d.hidden = hidden.has(d.label)));
    chart.data = config.data;
    chart.options = config.options;
    chart.update("none");
    return chart;
  }

  function timeAxis(volume, zone) {
    const day = volume.granularity === "day";
    return {
      type: "time",
      adapters: { date: { zone } },
      min: NS.when(volume.start).toMillis(),
      max: NS.when(volume.end).toMillis(),
      time: {
        tooltipFormat: day ? "ccc d LLL yyyy" : "ccc d LLL, HH:mm",
        displayFormats: { minute: "HH:mm", hour: "ccc HH:mm", day: "ccc d LLL" },
      },
      ticks: { maxRotation: 0, autoSkipPadding: 12 },
      grid: { color: "rgba(208, 215, 222, 0.6)" },
    };
  }

  /* Stacked across the whole campaign: one area per platform from the total, which counts
     each post once (per-hashtag stacks would count a post with two hashtags twice). */
  function totalDatasets(volume, points, base) {
    const platforms = volume.total.platforms;
    return PLATFORM_ORDER.filter((p) => platforms[p]).map((p, i) => ({
      ...base,
      label: PLATFORMS[p],
      data: points(platforms[p]),
      stack: "total",
      fill: i === 0 ? "origin" : "-1",
      borderColor: PLATFORM_COLORS[p],
      backgroundColor: withAlpha(PLATFORM_COLORS[p], 0.35),
    }));
  }

  /* Whether the stacked view draws the campaign total (more than one hashtag shown). */
  function stacksTotal(volume) {
    return Boolean(volume.total) && volume.series.length > 1;
  }

  function volumeDatasets(volume, stacked) {
    const xs = volume.buckets.map((b) => NS.when(b).toMillis());
    const points = (values) => values.map((y, i) => ({ x: xs[i], y }));
    const base = { pointRadius: 0, pointHitRadius: 6, borderWidth: 2, tension: 0.2 };
    if (stacked && stacksTotal(volume)) return totalDatasets(volume, points, base);
    if (!stacked) {
      return volume.series.map((s) => ({
        ...base,
        label: "#" + s.hashtag,
        data: points(s.posts),
        borderColor: s.color,
        backgroundColor: s.color,
      }));
    }
    const out = [];
    volume.series.forEach((s) => {
      const platforms = PLATFORM_ORDER.filter((p) => s.platforms[p]);
      platforms.forEach((p, i) => {
        out.push({
          ...base,
          label: `#${s.hashtag} · ${PLATFORMS[p]}`,
          data: points(s.platforms[p]),
          stack: s.hashtag,
          fill: i === 0 ? "origin" : "-1",
          borderColor: s.color,
          borderDash: PLATFORM_DASH[p],
          backgroundColor: withAlpha(s.color, 0.45 - 0.12 * i),
        });
      });
    });
    return out;
  }

  /* One band per source that existed in the range; a platform's imports shade each band of
     its sources, or a band of their own when none of its sources existed then. */
  function coverageLanes(coverage) {
    const sources = (coverage && coverage.sources) || [];
    const platforms = (coverage && coverage.platforms) || [];
    const ms = (iso) => NS.when(iso).toMillis();
    const imported = {};
    platforms.forEach((p) => {
      imported[p.platform] = (p.imports || []).map((i) => ({
        start: ms(i.start),
        end: ms(i.end),
        reason: "imported",
        message: i.label,
      }));
    });
    const lanes = sources.map((s) => ({
      name: s.source,
      label: s.platform_label || PLATFORMS[s.platform] || s.platform,
      platform: s.platform,
      spans: [
        ...(imported[s.platform] || []),
        ...s.gaps.map((g) => ({
          start: ms(g.start),
          end: ms(g.end),
          reason: g.reason,
          message: g.message,
        })),
      ],
    }));
    const polled = new Set(sources.map((s) => s.platform));
    platforms
      .filter((p) => !polled.has(p.platform) && imported[p.platform].length)
      .forEach((p) =>
        lanes.push({
          name: p.platform_label,
          label: p.platform_label,
          platform: p.platform,
          spans: imported[p.platform],
        })
      );
    const order = (lane) => PLATFORM_ORDER.indexOf(lane.platform);
    return lanes.sort((a, b) => order(a) - order(b));
  }

  const BUCKET_MS = { minute: 60e3, hour: 36e5, day: 864e5 };

  /* "Mastodon (https://…): polling failed (HTTP 503)" for each band covering [x, x + step). */
  function lanesAt(lanes, x, step) {
    const lines = [];
    lanes.forEach((lane) =>
      lane.spans
        .filter((span) => span.start < x + step && span.end > x)
        .forEach((span) => {
          const message = span.message ? ` (${span.message.slice(0, 80)})` : "";
          lines.push(`${lane.name}: ${reasonText(span.reason)}${message}`);
        })
    );
    return lines;
  }

  function drawVolume(canvas, volume, coverage, options) {
    const stacked = Boolean(options.stacked);
    const lanes = coverageLanes(coverage);
    const step = BUCKET_MS[volume.granularity] || BUCKET_MS.hour;
    return upsert("volume", canvas, {
      type: "line",
      data: { datasets: volumeDatasets(volume, stacked) },
      plugins: [coverageShade, paperBackground],
      options: {
        parsing: false,
        normalized: true,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: timeAxis(volume, options.zone),
          y: {
            stacked,
            beginAtZero: true,
            title: { display: true, text: `Posts per ${volume.granularity}` },
            ticks: { precision: 0 },
          },
        },
        plugins: {
          coverageShade: { lanes },
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              footer: (items) => (items.length ? lanesAt(lanes, items[0].parsed.x, step) : []),
            },
          },
        },
      },
    });
  }

  function drawYoy(canvas, yoy) {
    const datasets = [
      {
        label: (yoy.current && yoy.current.name) || "This edition",
        data: yoy.current_values || [],
        borderColor: BRAND,
        backgroundColor: BRAND,
        borderWidth: 2.5,
      },
    ];
    if (yoy.previous) {
      datasets.push({
        label: yoy.previous.name,
        data: yoy.previous_values || [],
        borderColor: PREVIOUS,
        backgroundColor: PREVIOUS,
        borderDash: [6, 4],
        borderWidth: 2,
      });
    }
    // Points show: a campaign's first day is a single point, and days are few.
    datasets.forEach((d) => Object.assign(d, { pointRadius: 3, pointHitRadius: 8, tension: 0.2 }));
    return upsert("yoy", canvas, {
      type: "line",
      data: { labels: yoy.labels || [], datasets },
      plugins: [paperBackground],
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkipPadding: 16 } },
          y: {
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: `Posts per ${yoy.unit || "day"}` },
          },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function drawPlatforms(canvas, platforms) {
    return upsert("platforms", canvas, {
      type: "bar",
      data: {
        labels: platforms.map((p) => p.label),
        datasets: [
          { label: "Posts", data: platforms.map((p) => p.posts), backgroundColor: BRAND },
          { label: "Reposts", data: platforms.map((p) => p.reposts), backgroundColor: "#54aeff" },
        ],
      },
      plugins: [paperBackground],
      options: {
        indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  Object.assign(NS, {
    PLATFORMS,
    PLATFORM_ORDER,
    COVERAGE_REASONS,
    stacksTotal,
    coverageShade,
    coverageLanes,
    setChartDefaults: setDefaults,
    drawVolume,
    drawYoy,
    drawPlatforms,
  });
})();
