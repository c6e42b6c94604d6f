/* DOM and link helpers shared by the pages' scripts (the wall and its embeds, the dashboard):
   window.NhitDom. Load it before the page's own script.

   Everything that came from a network (post text, names, handles, URLs) goes into the page
   through textContent or a checked attribute, never through innerHTML; a link only when its
   address passes webUrl, the one rule for what may be linked. */
(function () {
  "use strict";

  /* el("a", {href: url, class: "x"}, ["text", child]) with text as text nodes; the attribute
     "text" sets the textContent, null, undefined and false leave an attribute out. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = String(value);
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach((child) => {
      if (child === null || child === undefined) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  /* The address, as the browser reads it, when it is an absolute http:// or https:// one; else
     "" (javascript:, data:, relative and unparsable addresses never link). */
  function webUrl(value) {
    if (typeof value !== "string" || !/^https?:\/\//i.test(value)) return "";
    try {
      return new URL(value).href;
    } catch (err) {
      return "";
    }
  }

  /* A link out to a network, opened without handing over our window; plain text when the
     address is not a web address. */
  function externalLink(url, text, cls) {
    const href = webUrl(url);
    if (!href) return el("span", { class: cls }, [text]);
    return el("a", { href, class: cls, rel: "nofollow noopener ugc", target: "_blank" }, [text]);
  }

  /* A campaign colour from the server, set only when it is one (#rrggbb), as the CSS variable
     the chips' styles read. Set through the CSSOM, which the policy allows (a style="..."
     attribute in the markup it does not). */
  function tagColor(node, color) {
    if (typeof color === "string" && /^#[0-9a-f]{6}$/i.test(color)) {
      node.style.setProperty("--tag-color", color);
    }
  }

  const integer = new Intl.NumberFormat("en-US");

  /* 12,345; anything but a number is a dash. */
  function formatNumber(value) {
    return typeof value === "number" ? integer.format(value) : "–";
  }

  /* A clock in a campaign's zone, 24-hour "18:05:09", as the server writes the campaign's
     times; UTC when the browser does not know the zone. */
  function zoneClock(zone) {
    const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
    let format;
    try {
      format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone || "UTC" });
    } catch (err) {
      format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
    }
    return (date) => format.format(date);
  }

  window.NhitDom = { el, webUrl, externalLink, tagColor, formatNumber, zoneClock };
})();
