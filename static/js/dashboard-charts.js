/* The dashboard's charts (Chart.js 4 with the Luxon adapter): volume over time with coverage
   gaps shaded on it, year over year, and the platform split.

   Two small plugins of our own: coverageShade fills the spans where a source was rate limited,
   failing or not polled (from /api/coverage) behind the lines, so a partial number looks
   partial; paperBackground paints the canvas white so a downloaded PNG is readable anywhere.
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

  /* The shading of each kind of gap; the legend under the chart (CSS) draws the same. */
  function gapFills(ctx) {
    return {
      not_polled: "rgba(140, 149, 159, 0.22)",
      rate_limited: ctx.createPattern(hatch("rgba(191, 135, 0, 0.55)", "rgba(255, 223, 128, 0.25)"), "repeat"),
      error: ctx.createPattern(hatch("rgba(207, 34, 46, 0.5)", "rgba(255, 129, 130, 0.18)"), "repeat"),
    };
  }

  const coverageShade = {
    id: "coverageShade",
    defaults: { spans: [] },
    beforeDatasetsDraw(chart, args, options) {
      const spans = options.spans || [];
      const x = chart.scales.x;
      if (!spans.length || !x) return;
      const { ctx, chartArea } = chart;
      const fills = gapFills(ctx);
      ctx.save();
      spans.forEach((span) => {
        const left = Math.max(x.getPixelForValue(span.start), chartArea.left);
        const right = Math.min(x.getPixelForValue(span.end), chartArea.right);
        if (!(right > left)) return;
        ctx.fillStyle = fills[span.reason] || fills.not_polled;
        ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
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

  function gapSpans(coverage) {
    const spans = [];
    ((coverage && coverage.sources) || []).forEach((source) =>
      source.gaps.forEach((gap) =>
        spans.push({
          start: NS.when(gap.start).toMillis(),
          end: NS.when(gap.end).toMillis(),
          reason: gap.reason,
        })
      )
    );
    return spans;
  }

  function drawVolume(canvas, volume, coverage, options) {
    const stacked = Boolean(options.stacked);
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
          coverageShade: { spans: gapSpans(coverage) },
          legend: { position: "bottom" },
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
    stacksTotal,
    coverageShade,
    setChartDefaults: setDefaults,
    drawVolume,
    drawYoy,
    drawPlatforms,
  });
})();
