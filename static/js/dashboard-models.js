/* Table models (caption, columns, rows) of the chart data: what the data tables under the charts
   show and what their CSV files hold. Times are written in the campaign's zone with their
   offset, so a report can be read without guessing the zone. */
(function () {
  "use strict";
  const NS = (window.NhitDash = window.NhitDash || {});
  const STAMP = "yyyy-LL-dd HH:mm ZZ";

  /* The stacked view over several hashtags: the campaign total (each post once) per platform,
     as the chart draws it. */
  function totalModel(volume) {
    const total = volume.total;
    const platforms = NS.PLATFORM_ORDER.filter((p) => total.platforms[p]);
    return {
      caption: `Posts per ${volume.granularity} and platform, each post counted once`,
      columns: [
        `Bucket start (${volume.timezone})`,
        "Posts",
        "Reposts",
        ...platforms.map((p) => `Posts on ${NS.PLATFORMS[p]}`),
      ],
      rows: volume.buckets.map((b, i) => [
        NS.formatWhen(b, STAMP),
        total.posts[i],
        total.reposts[i],
        ...platforms.map((p) => total.platforms[p][i]),
      ]),
    };
  }

  function volumeModel(volume, options) {
    if (options && options.stacked && NS.stacksTotal(volume)) return totalModel(volume);
    const columns = [`Bucket start (${volume.timezone})`];
    const getters = [];
    volume.series.forEach((s) => {
      columns.push(`#${s.hashtag} posts`, `#${s.hashtag} reposts`);
      getters.push((i) => s.posts[i], (i) => s.reposts[i]);
      NS.PLATFORM_ORDER.filter((p) => s.platforms[p]).forEach((p) => {
        columns.push(`#${s.hashtag} posts on ${NS.PLATFORMS[p]}`);
        getters.push((i) => s.platforms[p][i]);
      });
    });
    return {
      caption: `Posts per ${volume.granularity} and hashtag`,
      columns,
      rows: volume.buckets.map((b, i) => [
        NS.formatWhen(b, STAMP),
        ...getters.map((get) => get(i)),
      ]),
    };
  }

  function percent(share) {
    return share === null || share === undefined ? "" : Math.round(share * 1000) / 10;
  }

  /* One row per stretch: each platform's imports, then each source's gaps (or "complete"). */
  function coverageModel(coverage) {
    const rows = [];
    const reason = (key) => NS.COVERAGE_REASONS[key] || key;
    const shares = (o) => [o.covered_share, o.polled_share, o.imported_share].map(percent);
    (coverage.platforms || []).forEach((p) =>
      (p.imports || []).forEach((i) =>
        rows.push([
          p.platform_label,
          `Archive: ${i.label}`,
          NS.formatWhen(i.imported_at, STAMP),
          ...shares(p),
          NS.formatWhen(i.start, STAMP),
          NS.formatWhen(i.end, STAMP),
          reason("imported"),
          "",
        ])
      )
    );
    (coverage.sources || []).forEach((source) => {
      const head = [
        source.platform_label || NS.PLATFORMS[source.platform] || source.platform,
        source.source,
        NS.formatWhen(source.added, STAMP),
        ...shares(source),
      ];
      if (!source.gaps.length) rows.push([...head, "", "", "complete", ""]);
      source.gaps.forEach((gap) =>
        rows.push([
          ...head,
          NS.formatWhen(gap.start, STAMP),
          NS.formatWhen(gap.end, STAMP),
          reason(gap.reason),
          gap.message,
        ])
      );
    });
    return {
      caption: "Coverage: what each archive import holds, and the stretches each source missed",
      columns: [
        "Platform",
        "Source",
        "Added or imported",
        "Covered %",
        "Polled %",
        "Imported %",
        "Start",
        "End",
        "Reason",
        "Message",
      ],
      rows,
    };
  }

  function yoyModel(yoy) {
    const current = (yoy.current && yoy.current.name) || "This edition";
    const previous = (yoy.previous && yoy.previous.name) || "Previous edition";
    const values = yoy.previous_values || [];
    return {
      caption: `Posts per ${yoy.unit || "day"} since each edition's start`,
      columns: [yoy.unit === "hour" ? "Campaign hour" : "Campaign day", current, previous],
      rows: (yoy.labels || []).map((label, i) => [
        label,
        (yoy.current_values || [])[i] ?? "",
        values[i] ?? "",
      ]),
    };
  }

  /* "Demo: 100% of this range collected (71.4% imported from an archive, 28.6% polled)" per
     platform, for the line under the volume chart. */
  function coverageSentence(coverage) {
    const platforms = coverage.platforms || [];
    const pct = (share) => `${percent(share)}%`;
    if (coverage.as_of && NS.when(coverage.as_of) <= NS.when(coverage.start)) {
      return "This range has not begun: nothing to collect yet.";
    }
    if (!platforms.length) {
      const which = NS.PLATFORMS[coverage.platform] ? `${NS.PLATFORMS[coverage.platform]} ` : "";
      return `No ${which}source polled this range and no archive covers it: nothing was collected.`;
    }
    const parts = platforms.map((p) => {
      const how = [];
      if (p.imported_share > 0) how.push(`${pct(p.imported_share)} imported from an archive`);
      if (p.polled_share > 0) how.push(`${pct(p.polled_share)} polled`);
      const detail = how.length ? ` (${how.join(", ")})` : "";
      return `${p.platform_label}: ${pct(p.covered_share)} of this range collected${detail}`;
    });
    return parts.join(" · ") + ".";
  }

  /* "since Tue 1 Dec, 16:42" for a gap still open; "Tue 1 Dec, 09:00 – 11:30" otherwise. */
  function gapTimes(gap, asOf) {
    const start = NS.formatWhen(gap.start);
    if (asOf && NS.when(gap.end) >= NS.when(asOf)) return `since ${start}`;
    const sameDay = NS.when(gap.start).hasSame(NS.when(gap.end), "day");
    return `${start} – ${NS.formatWhen(gap.end, sameDay ? "HH:mm" : undefined)}`;
  }

  /* What each source that missed part of the range missed, by name: "Mastodon (https://…),
     added Tue 1 Dec, 16:38: polling failed Tue 1 Dec, 16:38 – 18:38 (HTTP 503)". */
  function coverageIssues(coverage) {
    const issues = [];
    (coverage.sources || []).forEach((s) => {
      const gap = s.gaps[s.gaps.length - 1];
      const partial = typeof s.covered_share === "number" && percent(s.covered_share) < 100;
      if (!gap && !partial) return;
      const addedInside = NS.when(s.added) > NS.when(coverage.start);
      const added = addedInside ? `, added ${NS.formatWhen(s.added)}` : "";
      let what = `${percent(s.covered_share)}% of this range collected`;
      if (gap) {
        const reason = (NS.COVERAGE_REASONS[gap.reason] || gap.reason).toLowerCase();
        const message = gap.message ? ` (${gap.message})` : "";
        const more = s.gaps.length - 1;
        const earlier = more ? `, and ${more} earlier gap${more > 1 ? "s" : ""}` : "";
        what = `${reason} ${gapTimes(gap, coverage.as_of)}${message}${earlier}`;
      }
      const swatch = (gap ? gap.reason : "not_polled").replace("_", "-");
      issues.push({ source: s.source, swatch, text: `${added}: ${what}` });
    });
    return issues;
  }

  Object.assign(NS, { volumeModel, coverageModel, yoyModel, coverageSentence, coverageIssues });
})();
