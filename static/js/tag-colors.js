/* The campaign colours of server-rendered hashtag chips: each element's data-tag-color becomes
   its --tag-color (through dom.js's tagColor), so the policy needs no inline style attribute.
   Without script the chips keep the site's brand colour. Load after dom.js. */
(function () {
  "use strict";

  const { tagColor } = window.NhitDom;
  document.querySelectorAll("[data-tag-color]").forEach((node) => {
    tagColor(node, node.dataset.tagColor);
  });
})();
