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

  function coverageModel(coverage) {
    const rows = [];
    (coverage.sources || []).forEach((source) => {
      const share = Math.round(source.covered_share * 1000) / 10;
      if (!source.gaps.length) rows.push([source.source, share, "", "", "complete", ""]);
      source.gaps.forEach((gap) =>
        rows.push([
          source.source,
          share,
          NS.formatWhen(gap.start, STAMP),
          NS.formatWhen(gap.end, STAMP),
          gap.reason.replace("_", " "),
          gap.message,
        ])
      );
    });
    return {
      caption: "Coverage: stretches each source did not poll",
      columns: ["Source", "Covered %", "Gap start", "Gap end", "Reason", "Message"],
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

  /* "NHITweek: 37.5% polled, 2 gaps" per source, for the line under the volume chart. */
  function coverageSentence(coverage) {
    const sources = coverage.sources || [];
    if (!sources.length) return "No source is enabled: nothing is being collected.";
    return sources
      .map((s) => {
        const share = Math.round(s.covered_share * 1000) / 10;
        const gaps = s.gaps.length ? `, ${s.gaps.length} gap${s.gaps.length > 1 ? "s" : ""}` : "";
        return `${s.source}: ${share}% of this range polled${gaps}`;
      })
      .join(" · ");
  }

  Object.assign(NS, { volumeModel, coverageModel, yoyModel, coverageSentence });
})();
