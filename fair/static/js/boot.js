/**
 * boot.js: the one script tag of every page that runs JavaScript.
 *
 *   <script type="application/json" id="i18n">{…the page's strings…}</script>
 *   <script type="application/json" id="gate-config">{…}</script>
 *   <script type="module" src="/static/js/boot.js" data-page="gate" data-config="gate-config"></script>
 *
 * It reads the page's config (a JSON block, never inline code: the Content-
 * Security-Policy runs only this server's script files), loads
 * pages/<data-page>.js and calls its init(config); a page without
 * data-config gets {}. A new page adds one line to PAGES and one module in
 * pages/ exporting init(config).
 */

import { reportFailure } from "./lib/report.js";

const PAGES = {
  booth: () => import("./pages/booth.js"),
  card: () => import("./pages/card.js"),
  counter: () => import("./pages/counter.js"),
  dashboard: () => import("./pages/dashboard.js"),
  gate: () => import("./pages/gate.js"),
  print: () => import("./pages/print.js"),
};

/** The page's name (data-page) and config (the JSON block named by data-config) from boot's tag. */
export function readPageConfig(doc = document) {
  const tag = doc.querySelector("script[data-page]");
  if (!tag) return { name: null, config: {} };
  const block = tag.dataset.config ? doc.getElementById(tag.dataset.config) : null;
  if (tag.dataset.config && !block) console.error(`boot: no #${tag.dataset.config} in the page`);
  let config = {};
  try {
    config = block ? JSON.parse(block.textContent) : {};
  } catch (err) {
    console.error(`boot: #${tag.dataset.config} is not valid JSON`, err);
  }
  return { name: tag.dataset.page, config };
}

async function boot() {
  const { name, config } = readPageConfig();
  const load = name && Object.prototype.hasOwnProperty.call(PAGES, name) ? PAGES[name] : null;
  if (!load) {
    console.error(`boot: no page module for data-page=${JSON.stringify(name)}`);
    return;
  }
  const page = await load();
  await page.init(config);
}

if (typeof document !== "undefined") {
  boot().catch((err) => reportFailure("boot: the page script failed to start", err));
}
