import { svgEl, el } from './dom.js';
import * as format from './format.js';

// Line charts drawn as inline SVG: one chart, several series over a fixed time window. A line
// breaks where points are missing (a host that was down or lost data shows a hole, never a
// straight line drawn across the silence). Pointing at the chart reads out every series at
// that time.

const HEIGHT = 170;
const MARGIN = { left: 64, right: 10, top: 10, bottom: 22 };
const COLOURS = 8; // style.css has .s0 … .s7
const TIME_TICKS_MS = [60e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3];

/** How each unit is written on the axis and in the legend. */
const UNITS = {
  percent: { text: format.percent, binary: false },
  number: { text: (v) => format.number(v), binary: false },
  bytesPerSecond: { text: format.bytesPerSecond, binary: true },
};

/**
 * A <figure> holding the chart. `series` is [{ name, points: [[tMs, value], …] }], sorted;
 * `max` fixes the top of the axis (100 for percentages); `stepMs` is the query's step, used to
 * tell a missing point from the next one.
 */
export function lineChart({ title, unit, series, fromMs, toMs, stepMs, max, width }) {
  const units = UNITS[unit];
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const { top, ticks } = max === undefined ? niceCeiling(Math.max(0, ...values), units.binary) : { top: max, ticks: 4 };
  const x = (t) => MARGIN.left + ((t - fromMs) / (toMs - fromMs)) * plotWidth;
  const y = (v) => MARGIN.top + plotHeight - (Math.min(Math.max(v, 0), top) / top) * plotHeight;

  const svg = svgEl('svg', {
    class: 'plot',
    viewBox: `0 0 ${plotWidth + MARGIN.left + MARGIN.right} ${HEIGHT}`,
    role: 'img',
    'aria-label': title,
  });
  for (let i = 0; i <= ticks; i += 1) {
    const value = (top * i) / ticks;
    svg.append(
      svgEl('line', { class: 'grid', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: y(value), y2: y(value) }),
      svgEl('text', { class: 'axis', x: MARGIN.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, units.text(value)),
    );
  }
  const tickMs = TIME_TICKS_MS.find((ms) => (toMs - fromMs) / ms <= 6) ?? 86400e3;
  const label = toMs - fromMs > 86400e3 ? format.dayClock : format.clock;
  // Ticks on whole local minutes and hours, which is where people read time.
  const offsetMs = new Date(fromMs).getTimezoneOffset() * 60e3;
  for (let t = Math.ceil((fromMs - offsetMs) / tickMs) * tickMs + offsetMs; t <= toMs; t += tickMs) {
    svg.append(
      svgEl('line', { class: 'grid', x1: x(t), x2: x(t), y1: MARGIN.top, y2: MARGIN.top + plotHeight }),
      svgEl('text', { class: 'axis', x: x(t), y: HEIGHT - 6, 'text-anchor': anchorAt(x(t), plotWidth) }, label(t)),
    );
  }

  series.forEach((one, index) => {
    const colour = `s${index % COLOURS}`;
    const { path, dots } = tracePoints(one.points, stepMs, x, y);
    if (path !== '') svg.append(svgEl('path', { class: `line ${colour}`, d: path }));
    for (const [cx, cy] of dots) svg.append(svgEl('circle', { class: `dot ${colour}`, cx, cy, r: 1.8 }));
  });
  if (values.length === 0) {
    svg.append(
      svgEl('text', { class: 'empty', x: MARGIN.left + plotWidth / 2, y: MARGIN.top + plotHeight / 2, 'text-anchor': 'middle' }, 'no data in this range'),
    );
  }

  const readout = el('span', { class: 'readout' });
  const legend = el(
    'ul',
    { class: 'legend' },
    series.map((one, index) => {
      const last = one.points.at(-1);
      return el(
        'li',
        {},
        el('span', { class: `swatch s${index % COLOURS}` }),
        `${one.name} `,
        el('span', { class: 'figure' }, last ? units.text(last[1]) : '—'),
      );
    }),
  );
  followPointer(svg, readout, { series, x, fromMs, toMs, stepMs, plotWidth, text: units.text });
  return el('figure', { class: 'chart', 'data-chart': title }, el('figcaption', {}, title, readout), svg, legend);
}

/** Time labels near either end of the axis lean inwards rather than being cut off. */
function anchorAt(px, plotWidth) {
  if (px > MARGIN.left + plotWidth - 30) return 'end';
  if (px < MARGIN.left + 30) return 'start';
  return 'middle';
}

/** The SVG path of the points, broken where more than two and a half steps are missing. */
export function tracePoints(points, stepMs, x, y) {
  const parts = [];
  const dots = [];
  let run = [];
  const flush = () => {
    if (run.length === 1) dots.push(run[0]);
    else if (run.length > 1) parts.push(`M${run.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join('L')}`);
    run = [];
  };
  let previousMs;
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) continue;
    if (previousMs !== undefined && t - previousMs > stepMs * 2.5) flush();
    run.push([x(t), y(v)]);
    previousMs = t;
  }
  flush();
  return { path: parts.join(''), dots };
}

/** A vertical cursor and a readout of each series' value nearest to it. */
function followPointer(svg, readout, { series, x, fromMs, toMs, stepMs, plotWidth, text }) {
  const cursor = svgEl('line', { class: 'cursor', x1: 0, x2: 0, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, visibility: 'hidden' });
  svg.append(cursor);
  svg.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    const viewX = ((event.clientX - box.left) / box.width) * (plotWidth + MARGIN.left + MARGIN.right);
    const t = fromMs + ((viewX - MARGIN.left) / plotWidth) * (toMs - fromMs);
    if (t < fromMs || t > toMs) return;
    cursor.setAttribute('x1', String(x(t)));
    cursor.setAttribute('x2', String(x(t)));
    cursor.setAttribute('visibility', 'visible');
    const parts = series
      .map((one) => [one.name, nearest(one.points, t, stepMs)])
      .filter(([, point]) => point !== undefined)
      .map(([name, point]) => `${name} ${text(point[1])}`);
    readout.textContent = parts.length > 0 ? `${format.dayClock(t)}: ${parts.join(', ')}` : '';
  });
  svg.addEventListener('pointerleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    readout.textContent = '';
  });
}

/** The point closest to `t`, unless the series has a hole there. */
function nearest(points, t, stepMs) {
  let best;
  for (const point of points) {
    if (best === undefined || Math.abs(point[0] - t) < Math.abs(best[0] - t)) best = point;
  }
  return best !== undefined && Math.abs(best[0] - t) <= stepMs * 1.25 ? best : undefined;
}

/**
 * A round top for the axis and how many parts to cut it in, so every tick is round too: 1, 2,
 * 2.5 or 5 times a power of ten (of 1024 for bytes, so the labels read 512 KiB, not 500 KiB).
 */
function niceCeiling(value, binary) {
  if (!(value > 0)) return { top: 1, ticks: 4 };
  const base = binary ? 1024 ** Math.max(0, Math.floor(Math.log(value) / Math.log(1024))) : 1;
  const scaled = value / base;
  const power = 10 ** Math.floor(Math.log10(scaled));
  const [mantissa, ticks] = [[1, 4], [2, 4], [2.5, 5], [5, 5], [10, 5]].find(([m]) => m * power >= scaled) ?? [10, 5];
  return { top: mantissa * power * base, ticks };
}
