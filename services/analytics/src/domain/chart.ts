/**
 * Server-side SVG charts (line and bar) for the report endpoints' `image/svg+xml` answers, pure: no
 * DOM, no fonts read. d3-scale places values and picks "nice" ticks, d3-shape draws the lines;
 * this module writes the SVG text itself, so nothing else (jsdom, canvas) is bundled.
 *
 * Layout, in user units (the viewBox scales it to any size):
 *
 * | part          | where                                  |
 * | ------------- | -------------------------------------- |
 * | title         | top, centred                           |
 * | legend        | under the title, wrapped into rows     |
 * | plot          | between the margins, with grid lines   |
 * | y axis + label| left, label rotated                    |
 * | x axis + label| bottom; labels thinned so none overlap |
 *
 * Every piece of text goes through {@link escapeXml}: a series named `<script>` or `R&D` is text,
 * and Thai or Welsh names are written as they are (UTF-8), with a font stack that has their glyphs.
 */
import { scaleBand, scaleLinear, scalePoint, scaleUtc } from 'd3-scale'
import { line } from 'd3-shape'

export interface ChartPoint {
  x: string | Date
  y: number
}
export interface ChartSeries {
  name: string
  points: readonly ChartPoint[]
}
export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: readonly ChartSeries[]
  kind: 'line' | 'bar'
}

const WIDTH = 800
const HEIGHT = 420
const MARGIN = { left: 72, right: 24, bottom: 64 }
const TITLE_Y = 28
const LEGEND_TOP = 48
const LEGEND_ROW = 18
/** Average glyph advance at 12px (Latin ~6.5, Thai and CJK wider); used only to wrap and thin. */
const CHAR_WIDTH = 7
const Y_TICKS = 5
/** Tableau 10: distinct for the common colour-vision deficiencies; series beyond 10 reuse them. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]
/** Tick values as people read them on a dashboard: 950, 1.2K, 3.4M (no "0k", no "0.0"). */
const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })
const FONT =
  "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Thai', 'Noto Sans CJK JP', sans-serif"

/**
 * Text safe inside an SVG element or a double-quoted attribute: the five XML specials escaped, and
 * what XML 1.0 cannot carry at all (C0 controls but tab/newline, lone surrogates, U+FFFE/U+FFFF)
 * dropped rather than leaving a document no parser accepts.
 */
export function escapeXml(text: string): string {
  let kept = ''
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!
    const allowed =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp < 0xd800) ||
      (cp > 0xdfff && cp < 0xfffe) ||
      cp > 0xffff
    if (allowed) kept += ch
  }
  return kept.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

/** A Date as `YYYY-MM-DD` (UTC), the label reports use for a day. */
function dateLabel(d: Date): string {
  return d.toISOString().slice(0, 10)
}

const xKey = (x: string | Date): string => (x instanceof Date ? dateLabel(x) : x)

/** Categories in order of first appearance across all series (periods come sorted from the reports). */
function categories(series: readonly ChartSeries[]): string[] {
  const seen = new Set<string>()
  for (const s of series) for (const p of s.points) seen.add(xKey(p.x))
  return [...seen]
}

const fmt = (n: number): string => (Math.round(n * 100) / 100).toString()

/** Renders a chart as a standalone SVG document (UTF-8). */
export function renderChart(spec: ChartSpec): string {
  const series = spec.series.map((s) => ({
    name: s.name,
    points: s.points.filter((p) => Number.isFinite(p.y) && (!(p.x instanceof Date) || !Number.isNaN(+p.x))),
  }))
  const legend = legendRows(series.map((s) => s.name))
  const top = LEGEND_TOP + legend.length * LEGEND_ROW + 12
  const plot = { x0: MARGIN.left, x1: WIDTH - MARGIN.right, y0: top, y1: HEIGHT - MARGIN.bottom }

  const ys = series.flatMap((s) => s.points.map((p) => p.y))
  const lo = Math.min(0, ...ys)
  const hi = Math.max(0, ...ys)
  // An all-zero series still gets an axis from 0 to 1 rather than a collapsed one.
  const y = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .nice(Y_TICKS)
    .range([plot.y1, plot.y0])
  const yFormat = (n: number) => COMPACT.format(n)

  const parts: string[] = []
  const text = (x: number, yy: number, s: string, attrs = '') =>
    `<text x="${fmt(x)}" y="${fmt(yy)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`

  // Grid and y axis.
  parts.push(`<g class="y-axis" font-size="11" text-anchor="end">`)
  for (const t of y.ticks(Y_TICKS)) {
    const ty = y(t)
    parts.push(
      `<line x1="${plot.x0}" x2="${plot.x1}" y1="${fmt(ty)}" y2="${fmt(ty)}" stroke="#e5e5e5"/>`,
      text(plot.x0 - 6, ty + 4, yFormat(t)),
    )
  }
  parts.push(`<line x1="${plot.x0}" x2="${plot.x0}" y1="${plot.y0}" y2="${plot.y1}" stroke="#333"/>`, `</g>`)

  const allDates = series.length > 0 && series.every((s) => s.points.every((p) => p.x instanceof Date))
  const hasPoints = ys.length > 0
  parts.push(`<g class="x-axis" font-size="11" text-anchor="middle">`)
  parts.push(`<line x1="${plot.x0}" x2="${plot.x1}" y1="${fmt(y(0))}" y2="${fmt(y(0))}" stroke="#333"/>`)
  const marks: string[] = []
  if (spec.kind === 'line' && allDates && hasPoints) {
    // Real dates on a line chart: a time axis, so gaps in the data show as gaps in time.
    const times = series.flatMap((s) => s.points.map((p) => +(p.x as Date)))
    const t0 = Math.min(...times)
    const t1 = Math.max(...times)
    const x = scaleUtc()
      .domain([new Date(t0), new Date(t1 === t0 ? t0 + 86_400_000 : t1)])
      .range([plot.x0, plot.x1])
    const ticks = x.ticks(Math.max(2, Math.floor((plot.x1 - plot.x0) / 110)))
    const xFormat = x.tickFormat()
    for (const t of ticks) parts.push(text(x(t), plot.y1 + 18, xFormat(t)))
    series.forEach((s, i) => {
      marks.push(linePath(s.points, (p) => x(p.x as Date), y, i))
    })
  } else if (spec.kind === 'line') {
    const cats = categories(series)
    const x = scalePoint<string>().domain(cats).range([plot.x0, plot.x1]).padding(0.3)
    parts.push(...categoryLabels(cats, (c) => x(c) ?? 0, plot, text))
    series.forEach((s, i) => {
      marks.push(linePath(s.points, (p) => x(xKey(p.x)) ?? 0, y, i))
    })
  } else {
    const cats = categories(series)
    const outer = scaleBand<string>()
      .domain(cats)
      .range([plot.x0, plot.x1])
      .paddingInner(0.2)
      .paddingOuter(0.1)
    const inner = scaleBand<number>()
      .domain(series.map((_, i) => i))
      .range([0, outer.bandwidth()])
      .padding(0.05)
    parts.push(...categoryLabels(cats, (c) => (outer(c) ?? 0) + outer.bandwidth() / 2, plot, text))
    series.forEach((s, i) => {
      const bars = s.points.map((p) => {
        const bx = (outer(xKey(p.x)) ?? 0) + (inner(i) ?? 0)
        const y0 = y(Math.max(0, p.y))
        const h = Math.abs(y(p.y) - y(0))
        return `<rect x="${fmt(bx)}" y="${fmt(y0)}" width="${fmt(inner.bandwidth())}" height="${fmt(h)}"><title>${escapeXml(`${s.name}: ${xKey(p.x)} = ${p.y}`)}</title></rect>`
      })
      marks.push(`<g class="series" fill="${PALETTE[i % PALETTE.length]}">${bars.join('')}</g>`)
    })
  }
  parts.push(`</g>`)
  if (!hasPoints) {
    parts.push(
      text((plot.x0 + plot.x1) / 2, (plot.y0 + plot.y1) / 2, 'No data', 'text-anchor="middle" fill="#777"'),
    )
  }

  // Axis labels.
  parts.push(
    text(
      (plot.x0 + plot.x1) / 2,
      HEIGHT - 16,
      spec.xLabel,
      'class="x-label" text-anchor="middle" font-size="12"',
    ),
    text(
      0,
      0,
      spec.yLabel,
      `class="y-label" text-anchor="middle" font-size="12" transform="translate(18 ${fmt((plot.y0 + plot.y1) / 2)}) rotate(-90)"`,
    ),
  )

  // Legend.
  const legendParts: string[] = [`<g class="legend" font-size="12">`]
  let index = 0
  legend.forEach((row, r) => {
    let lx = (WIDTH - row.width) / 2
    const ly = LEGEND_TOP + r * LEGEND_ROW
    for (const name of row.names) {
      const colour = PALETTE[index % PALETTE.length]
      legendParts.push(
        `<rect x="${fmt(lx)}" y="${ly - 10}" width="12" height="12" fill="${colour}"/>`,
        text(lx + 16, ly, name),
      )
      lx += legendWidth(name)
      index++
    }
  })
  legendParts.push(`</g>`)

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" font-family="${escapeXml(FONT)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    text(
      WIDTH / 2,
      TITLE_Y,
      spec.title,
      'class="title" text-anchor="middle" font-size="16" font-weight="600"',
    ),
    ...legendParts,
    ...parts,
    `<g class="marks">${marks.join('')}</g>`,
    `</svg>`,
  ].join('\n')
}

/** One series as a path (with a dot per point, so a single point still shows). */
function linePath(
  points: readonly ChartPoint[],
  px: (p: ChartPoint) => number,
  y: (v: number) => number,
  i: number,
): string {
  const colour = PALETTE[i % PALETTE.length]
  const d = line<ChartPoint>()
    .x(px)
    .y((p) => y(p.y))(points as ChartPoint[])
  const dots = points.map((p) => `<circle cx="${fmt(px(p))}" cy="${fmt(y(p.y))}" r="2.5"/>`).join('')
  return `<g class="series" fill="${colour}"><path d="${d ?? ''}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}</g>`
}

/** Category tick labels, every k-th one from the first, so that no two overlap. */
function categoryLabels(
  cats: readonly string[],
  at: (c: string) => number,
  plot: { x0: number; x1: number; y1: number },
  text: (x: number, y: number, s: string, attrs?: string) => string,
): string[] {
  if (cats.length === 0) return []
  const longest = Math.max(...cats.map((c) => [...c].length))
  const room = (plot.x1 - plot.x0) / cats.length
  const every = Math.max(1, Math.ceil(((longest + 1) * CHAR_WIDTH) / room))
  return cats.filter((_, i) => i % every === 0).map((c) => text(at(c), plot.y1 + 18, c))
}

const legendWidth = (name: string): number => 16 + [...name].length * CHAR_WIDTH + 20

/** The legend's entries wrapped into rows that fit the chart's width. */
function legendRows(names: readonly string[]): { names: string[]; width: number }[] {
  const rows: { names: string[]; width: number }[] = []
  let row: { names: string[]; width: number } = { names: [], width: 0 }
  for (const name of names) {
    const w = legendWidth(name)
    if (row.names.length > 0 && row.width + w > WIDTH - 40) {
      rows.push(row)
      row = { names: [], width: 0 }
    }
    row.names.push(name)
    row.width += w
  }
  if (row.names.length > 0) rows.push(row)
  return rows
}
