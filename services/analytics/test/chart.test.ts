import { describe, expect, it } from 'vitest'
import { type ChartSpec, escapeXml, renderChart } from '../src/domain/chart.js'

/**
 * A strict XML 1.0 well-formedness check of what the renderer writes (elements, attributes, text,
 * the declaration): every tag closed in order, every attribute quoted once, no raw `<` or stray
 * `&` in text. Returns the elements with their attributes and text for the assertions.
 */
interface El {
  name: string
  attrs: Record<string, string>
  text: string
  children: El[]
}
function parseXml(xml: string): El {
  const decl = /^<\?xml [^?]*\?>\s*/.exec(xml)
  let i = decl ? decl[0].length : 0
  const root: El = { name: '#doc', attrs: {}, text: '', children: [] }
  const stack: El[] = [root]
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/i
  const decode = (s: string) => {
    for (let k = 0; k < s.length; k++) {
      if (s[k] === '<') throw new Error(`raw < at ${k}`)
      if (s[k] === '&' && !entity.test(s.slice(k))) throw new Error(`stray & in ${s}`)
    }
    return s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    const chunk = lt === -1 ? xml.slice(i) : xml.slice(i, lt)
    stack.at(-1)!.text += decode(chunk)
    if (lt === -1) break
    const gt = xml.indexOf('>', lt)
    if (gt === -1) throw new Error('unclosed tag')
    const tag = xml.slice(lt + 1, gt)
    i = gt + 1
    if (tag.startsWith('/')) {
      const open = stack.pop()
      if (!open || open.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes <${open?.name}>`)
      continue
    }
    const selfClosing = tag.endsWith('/')
    const body = selfClosing ? tag.slice(0, -1) : tag
    const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*$/.exec(body)
    if (!m) throw new Error(`malformed tag <${tag}>`)
    const attrs: Record<string, string> = {}
    for (const a of m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`)
      attrs[a[1]!] = decode(a[2]!)
    }
    const el: El = { name: m[1]!, attrs, text: '', children: [] }
    stack.at(-1)!.children.push(el)
    if (!selfClosing) stack.push(el)
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`)
  if (root.children.length !== 1) throw new Error('not exactly one root element')
  return root.children[0]!
}

const all = (el: El, pred: (e: El) => boolean): El[] => [
  ...(pred(el) ? [el] : []),
  ...el.children.flatMap((c) => all(c, pred)),
]
const byClass = (el: El, cls: string) => all(el, (e) => e.attrs.class === cls)[0]!
const texts = (el: El) => all(el, (e) => e.name === 'text').map((e) => e.text)

const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']
const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  title: 'Revenue won',
  xLabel: 'Month',
  yLabel: 'THB',
  kind: 'line',
  series: [
    { name: 'สมชาย ใจดี', points: MONTHS.map((x, i) => ({ x, y: 1000 * (i + 1) })) },
    { name: 'Siân Llywelyn', points: MONTHS.map((x, i) => ({ x, y: 500 + 100 * i })) },
  ],
  ...over,
})

describe('renderChart', () => {
  it('writes a well-formed SVG document with a title, both axes, their labels and a legend', () => {
    // Act
    const svg = parseXml(renderChart(spec()))
    // Assess
    expect(svg.name).toBe('svg')
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg')
    expect(svg.attrs.viewBox).toBe('0 0 800 420')
    expect(svg.children.find((c) => c.name === 'title')?.text).toBe('Revenue won')
    expect(texts(byClass(svg, 'x-axis'))).toEqual(MONTHS)
    // y ticks are nice round values from 0 over the maximum (6000), compact as people read them.
    expect(texts(byClass(svg, 'y-axis'))).toEqual(['0', '1K', '2K', '3K', '4K', '5K', '6K'])
    expect(byClass(svg, 'x-label').text).toBe('Month')
    expect(byClass(svg, 'y-label').text).toBe('THB')
    expect(byClass(svg, 'y-label').attrs.transform).toContain('rotate(-90)')
    // Thai and Welsh names come out as written (UTF-8, NFC), one legend entry and swatch per series.
    const legend = byClass(svg, 'legend')
    expect(texts(legend)).toEqual(['สมชาย ใจดี', 'Siân Llywelyn'])
    expect(legend.children.filter((c) => c.name === 'rect').map((r) => r.attrs.fill)).toEqual([
      '#4e79a7',
      '#f28e2b',
    ])
  })

  it('draws each line series as one path through its points, higher values higher up', () => {
    // Act
    const svg = parseXml(renderChart(spec()))
    // Assess
    const series = all(svg, (e) => e.attrs.class === 'series')
    expect(series).toHaveLength(2)
    const path = series[0]!.children.find((c) => c.name === 'path')!
    expect(path.attrs.d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){5}$/)
    const cy = series[0]!.children.filter((c) => c.name === 'circle').map((c) => Number(c.attrs.cy))
    expect(cy).toHaveLength(6)
    for (let k = 1; k < cy.length; k++) expect(cy[k]!).toBeLessThan(cy[k - 1]!)
  })

  it('escapes markup and drops what XML cannot carry, in the title, labels, legend and categories', () => {
    // Prepare
    const hostile = '<script>alert("x")</script> & R&D \u0007 \uD800'
    // Act
    const raw = renderChart(
      spec({
        title: hostile,
        xLabel: hostile,
        kind: 'bar',
        series: [{ name: hostile, points: [{ x: '<b>&', y: 3 }] }],
      }),
    )
    const svg = parseXml(raw)
    // Assess
    expect(raw).not.toContain('<script>')
    expect(raw).not.toContain('<b>')
    expect(svg.children.find((c) => c.name === 'title')?.text).toBe('<script>alert("x")</script> & R&D  ')
    expect(texts(byClass(svg, 'legend'))).toEqual(['<script>alert("x")</script> & R&D  '])
    expect(texts(byClass(svg, 'x-axis'))).toEqual(['<b>&'])
  })

  it('draws grouped bars: one per series and category, negative values below the zero line', () => {
    // Act
    const svg = parseXml(
      renderChart(
        spec({
          kind: 'bar',
          series: [
            { name: 'opened', points: MONTHS.slice(0, 3).map((x, i) => ({ x, y: 10 + i })) },
            { name: 'net', points: MONTHS.slice(0, 3).map((x, i) => ({ x, y: i - 1 })) },
          ],
        }),
      ),
    )
    // Assess
    const [opened, net] = all(svg, (e) => e.attrs.class === 'series')
    const rects = (g: El) => g.children.filter((c) => c.name === 'rect')
    expect(rects(opened!)).toHaveLength(3)
    expect(rects(net!)).toHaveLength(3)
    const zero = Number(byClass(svg, 'x-axis').children.find((c) => c.name === 'line')!.attrs.y1)
    const negative = rects(net!)[0]!
    expect(Number(negative.attrs.y)).toBeCloseTo(zero, 5)
    expect(Number(negative.attrs.height)).toBeGreaterThan(0)
    // Within a category the series sit side by side, not on top of each other.
    expect(Number(rects(net!)[0]!.attrs.x)).toBeGreaterThan(Number(rects(opened!)[0]!.attrs.x))
    expect(rects(opened!)[0]!.children[0]!.text).toBe('opened: 2025-01 = 10')
  })

  it('puts Date points on a time axis and thins crowded category labels so they cannot overlap', () => {
    // Prepare
    const days = Array.from({ length: 90 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)))
    const labels = Array.from({ length: 120 }, (_, i) => `2025-${String(i).padStart(3, '0')}`)
    // Act
    const time = parseXml(
      renderChart(spec({ series: [{ name: 'a', points: days.map((x, i) => ({ x, y: i })) }] })),
    )
    const crowded = parseXml(
      renderChart(spec({ kind: 'bar', series: [{ name: 'a', points: labels.map((x) => ({ x, y: 1 })) }] })),
    )
    // Assess
    const ticks = texts(byClass(time, 'x-axis'))
    // 90 days on 700 units: month boundaries, in d3's multi-scale time format.
    expect(ticks).toEqual(expect.arrayContaining(['February', 'March']))
    expect(ticks.length).toBeLessThan(8)
    const shown = all(byClass(crowded, 'x-axis'), (e) => e.name === 'text').map((e) => Number(e.attrs.x))
    expect(shown.length).toBeLessThan(labels.length)
    for (let k = 1; k < shown.length; k++) expect(shown[k]! - shown[k - 1]!).toBeGreaterThanOrEqual(8 * 7)
  })

  it('renders an empty chart (no series, or only non-finite values) with axes and "No data"', () => {
    for (const series of [[], [{ name: 'x', points: [{ x: 'a', y: Number.NaN }] }]]) {
      const svg = parseXml(renderChart(spec({ series })))
      expect(texts(svg)).toContain('No data')
      expect(texts(byClass(svg, 'y-axis'))).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1'])
    }
  })

  it('wraps a long legend into rows that fit the width, moving the plot down', () => {
    const names = Array.from({ length: 12 }, (_, i) => `Pipeline number ${i + 1}`)
    const svg = parseXml(
      renderChart(spec({ series: names.map((name) => ({ name, points: [{ x: 'a', y: 1 }] })) })),
    )
    const ys = new Set(all(byClass(svg, 'legend'), (e) => e.name === 'text').map((e) => Number(e.attrs.y)))
    expect(ys.size).toBeGreaterThan(1)
    for (const x of all(byClass(svg, 'legend'), (e) => e.name === 'rect').map((e) => Number(e.attrs.x)))
      expect(x).toBeGreaterThanOrEqual(0)
  })
})

describe('escapeXml', () => {
  it('escapes the five XML specials and keeps every script as written', () => {
    expect(escapeXml(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&#39;')
    expect(escapeXml('ภาษาไทย Cymraeg ŵ ŷ 日本語')).toBe('ภาษาไทย Cymraeg ŵ ŷ 日本語')
    // NFD input (w + combining circumflex) is stored as NFC.
    expect(escapeXml('w\u0302')).toBe('ŵ')
  })
})
