/**
 * svg-chart.js: the dashboard's two small charts, drawn as SVG by hand.
 *
 *   barChart(svg, [{label, value, title}], {empty})   // arrivals per 5 minutes
 *   floorPlan(svg, [{x, y, code, value, title}])      // booths coloured by traffic
 *   heatClass(value, top)  heatLegend(top)            // the colour classes, with ranges
 *
 * Everything is built with createElementNS and textContent: no markup from
 * data. The SVG's viewBox follows its on-screen size (call again on resize),
 * so text stays the same size on a 360 px phone and a 1920 px screen.
 * Colours come from CSS classes (.heat-0 … .heat-5), shared with the
 * printable report; fair/matching/dashboard.py's heat_class mirrors heatClass.
 */

const NS = "http://www.w3.org/2000/svg";
export const HEAT_CLASSES = 5;

/** A new SVG element with attributes (and text, when given). */
export function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function clear(svg) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
}

function size(svg, fallbackWidth, fallbackHeight) {
  const box = svg.getBoundingClientRect();
  return [Math.max(1, Math.round(box.width || fallbackWidth)), Math.max(1, Math.round(box.height || fallbackHeight))];
}

/** The smallest "round" number ≥ value (1, 2, 5, 10, 20, 50, ...), for the y axis. */
export function niceCeil(value) {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

/**
 * Vertical bars. bars: [{label, value, title, tick}] where tick marks the
 * bars whose label is printed under the axis (the caller chooses, e.g. hours).
 */
export function barChart(svg, bars, { empty = "" } = {}) {
  clear(svg);
  const [width, height] = size(svg, 600, 220);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (!bars.length) {
    svg.appendChild(el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "chart-empty" }, empty));
    return;
  }
  const left = 36, right = 8, top = 12, bottom = 26;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = niceCeil(Math.max(...bars.map((b) => b.value)));
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotH - fraction * plotH;
    svg.appendChild(el("line", { x1: left, x2: width - right, y1: y, y2: y, class: "chart-grid" }));
    svg.appendChild(el("text", { x: left - 6, y: y + 4, "text-anchor": "end", class: "chart-axis" },
      Math.round(max * fraction).toLocaleString()));
  }
  const step = plotW / bars.length;
  const gap = step > 6 ? Math.min(4, step * 0.2) : 0;
  const showValues = step >= 22;
  bars.forEach((bar, i) => {
    const h = (bar.value / max) * plotH;
    const x = left + i * step;
    const group = el("g", { class: "chart-bar" });
    group.appendChild(el("title", {}, bar.title || `${bar.label}: ${bar.value}`));
    group.appendChild(el("rect", { x: x + gap / 2, y: top + plotH - h, width: Math.max(1, step - gap), height: Math.max(0, h) }));
    if (showValues && bar.value > 0) {
      group.appendChild(el("text", { x: x + step / 2, y: top + plotH - h - 3, "text-anchor": "middle", class: "chart-value" }, bar.value));
    }
    svg.appendChild(group);
    if (bar.tick) {
      svg.appendChild(el("text", { x: x + step / 2, y: height - 8, "text-anchor": "middle", class: "chart-axis" }, bar.label));
    }
  });
}

/** 0 for no traffic, else 1..HEAT_CLASSES in equal steps up to the busiest booth. */
export function heatClass(value, top) {
  if (value <= 0 || top <= 0) return 0;
  return Math.min(HEAT_CLASSES, Math.ceil((value * HEAT_CLASSES) / top));
}

/** The non-empty classes with their ranges: [{cls, low, high}] (class 0 is "none"). */
export function heatLegend(top) {
  const legend = [{ cls: 0, low: 0, high: 0 }];
  for (let k = 1; k <= HEAT_CLASSES; k += 1) {
    const low = Math.floor(((k - 1) * top) / HEAT_CLASSES) + 1;
    const high = Math.floor((k * top) / HEAT_CLASSES);
    if (top > 0 && low <= high) legend.push({ cls: k, low, high });
  }
  return legend;
}

const MIN_CELL = 18;      // the plan always fits its box (a 360 px phone, a big screen); below
const COMPACT_CELL = 44;  // this size a square shows only its number, the codes go to the axes
const MAX_CELL = 84;
const AXIS = 18;          // room for the row letters and column numbers of a compact plan

/**
 * The size of the floor plan in a box of width x height (height Infinity: as tall as needed).
 * Pure, for the unit tests: {cell, compact, left, top, width, height, rows: {y: "A"}, columns: {x: "7"}}.
 * A compact plan labels its rows with the codes' letters and its columns with their numbers
 * ("C7" is row C, column 7), so every square has room for its number at any width.
 */
export function planLayout(cells, width, height = Infinity) {
  const columns = Math.max(1, ...cells.map((c) => c.x));
  const rows = Math.max(1, ...cells.map((c) => c.y));
  const fit = (room) => Math.min(MAX_CELL, Math.floor((width - room) / columns), Math.floor((height - room) / rows));
  let cell = fit(0), compact = false;
  if (cell < COMPACT_CELL) {
    compact = true;
    cell = fit(AXIS);
  }
  cell = Math.max(MIN_CELL, cell);
  const margin = compact ? AXIS : 0;
  const rowLabels = {}, columnLabels = {};
  for (const c of cells) {
    const match = /^([A-Za-z]+)\s*-?\s*(\d+)$/.exec(String(c.code || "").trim());
    if (!match) continue;
    rowLabels[c.y] = rowLabels[c.y] || match[1].toUpperCase();
    columnLabels[c.x] = columnLabels[c.x] || String(Number(match[2]));
  }
  return { cell, compact, left: margin, top: margin, width: margin + columns * cell, height: margin + rows * cell,
    rows: rowLabels, columns: columnLabels };
}

/**
 * The floor plan: one square per booth at (x, y) on the grid (both from 1),
 * coloured by value and always showing the number, for colour-blind readers.
 * It fits its parent's width (and maxHeight, for the big screen): never a sideways scroll.
 */
export function floorPlan(svg, cells, { maxHeight = Infinity } = {}) {
  clear(svg);
  const available = svg.parentElement ? svg.parentElement.clientWidth : 600;
  const layout = planLayout(cells, available || 600, maxHeight);
  const { cell, compact, left, top: offset, width, height } = layout;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const top = Math.max(0, ...cells.map((c) => c.value));
  const codeSize = Math.round(cell * 0.22), valueSize = Math.round(cell * (compact ? 0.42 : 0.36));
  if (compact) {
    const axisSize = Math.min(12, AXIS - 5);
    for (const [y, label] of Object.entries(layout.rows)) {
      svg.appendChild(el("text", { x: left - 4, y: offset + (Number(y) - 0.5) * cell + axisSize / 3, "text-anchor": "end",
        class: "plan-axis", "font-size": axisSize }, label));
    }
    for (const [x, label] of Object.entries(layout.columns)) {
      svg.appendChild(el("text", { x: left + (Number(x) - 0.5) * cell, y: offset - 5, "text-anchor": "middle",
        class: "plan-axis", "font-size": axisSize }, label));
    }
  }
  for (const c of cells) {
    const x = left + (c.x - 1) * cell, y = offset + (c.y - 1) * cell;
    const k = heatClass(c.value, top);
    const group = el("g", { class: `plan-booth heat-${k}` });
    group.appendChild(el("title", {}, c.title));
    group.appendChild(el("rect", { x: x + 1.5, y: y + 1.5, width: cell - 3, height: cell - 3, rx: 3 }));
    if (!compact) {
      group.appendChild(el("text", { x: x + cell / 2, y: y + 4 + codeSize, "text-anchor": "middle", class: "plan-code", "font-size": codeSize }, c.code));
    }
    const valueY = compact ? y + cell / 2 + valueSize / 3 : y + cell - Math.round(cell * 0.16);
    group.appendChild(el("text", { x: x + cell / 2, y: valueY, "text-anchor": "middle", class: "plan-value", "font-size": valueSize }, c.value));
    svg.appendChild(group);
  }
  return top;
}
