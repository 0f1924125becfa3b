/**
 * Email templates: subject, HTML and text parts written in Liquid (liquidjs), rendered per recipient.
 * Pure: no AWS, no I/O (liquidjs is given an empty in-memory template map, so `include`/`render`
 * can never read the file system).
 *
 * | rule                                   | why                                                                  |
 * | -------------------------------------- | -------------------------------------------------------------------- |
 * | HTML part: every `{{ }}` HTML-escaped  | a contact's name `<script>` must arrive as text, never as markup      |
 * | subject and text: not escaped          | they are not HTML; MIME encodes them                                 |
 * | `raw` filter refused at save           | it would switch escaping off for contact data in the HTML part       |
 * | partials/layouts refused at save       | templates are self-contained; nothing else to look up               |
 * | unknown filters refused at save        | a typo (`| upcas`) would otherwise drop the value silently           |
 * | limits: 100 KB a part, 200 ms, memory  | one tenant's template must not stall a send batch                    |
 *
 * A template is checked twice at save: parsed (syntax), then rendered against a sample contact with
 * strict filters (unknown filters and runaway loops surface before any recipient sees them).
 */
import { Liquid } from 'liquidjs'

/** The parts of a template, as saved. */
export interface TemplateParts {
  subject: string
  html: string
  text?: string | undefined
}

/** What a template may refer to when it is rendered for one recipient. */
export interface RenderContext {
  contact: Readonly<Record<string, unknown>>
  campaign?: Readonly<Record<string, unknown>>
  /** The recipient's unsubscribe page (`{{ unsubscribeUrl }}`). */
  unsubscribeUrl?: string
}

export interface RenderedMail {
  subject: string
  html: string
  text: string
}

export interface TemplateProblem {
  field: keyof TemplateParts
  code: 'invalid_template'
  message: string
}

/** A part's length bound, in characters (an email's HTML beyond 100 KB is clipped by Gmail anyway). */
export const MAX_PART_CHARS = 100_000
/** Milliseconds one part's render may take: a runaway loop stops here instead of stalling a batch. */
const RENDER_LIMIT_MS = 200
/** Memory budget of one render in liquidjs units (roughly characters allocated by filters). */
const MEMORY_LIMIT = 2_000_000

const TAGS_REFUSED = /\{%-?\s*(include|render|layout|block)\b/
const RAW_FILTER = /\|\s*raw\b/

function engine(escapeHtml: boolean): Liquid {
  return new Liquid({
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    ownPropertyOnly: true,
    templates: {},
    parseLimit: MAX_PART_CHARS,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    cache: false,
  })
}

// One engine per escaping mode: options are fixed, so sharing them is safe across renders.
const htmlEngine = /* @__PURE__ */ engine(true)
const plainEngine = /* @__PURE__ */ engine(false)

/** A sample recipient for the save-time trial render: every common field present. */
export const SAMPLE_CONTACT: Readonly<Record<string, unknown>> = Object.freeze({
  id: 'sample',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  tags: ['sample'],
  lifecycleStage: 'customer',
  tier: 'gold',
  custom: {},
})

const partsOf = (t: TemplateParts): [keyof TemplateParts, string, boolean][] => [
  ['subject', t.subject, false],
  ['html', t.html, true],
  ...(t.text !== undefined ? [['text', t.text, false] as [keyof TemplateParts, string, boolean]] : []),
]

function problem(field: keyof TemplateParts, message: string): TemplateProblem {
  return { field, code: 'invalid_template', message: message.split('\n')[0]?.slice(0, 300) ?? 'Invalid' }
}

/**
 * The problems of a template, one per bad part (empty when it can be saved). Synchronous liquidjs
 * APIs only, so a check costs no event-loop turn.
 */
export function templateProblems(t: TemplateParts): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  for (const [field, source, escapes] of partsOf(t)) {
    if (source.length > MAX_PART_CHARS) {
      problems.push(problem(field, `At most ${MAX_PART_CHARS} characters`))
      continue
    }
    const refused = TAGS_REFUSED.exec(source)
    if (refused) {
      problems.push(problem(field, `The {% ${refused[1]} %} tag is not available in email templates`))
      continue
    }
    if (RAW_FILTER.test(source)) {
      problems.push(problem(field, 'The raw filter is not available: values are always escaped'))
      continue
    }
    const liquid = escapes ? htmlEngine : plainEngine
    try {
      const parsed = liquid.parse(source)
      liquid.renderSync(parsed, sampleContext(), { renderLimit: RENDER_LIMIT_MS })
    } catch (err) {
      problems.push(problem(field, (err as Error).message))
    }
  }
  return problems
}

function sampleContext(): Record<string, unknown> {
  return {
    contact: SAMPLE_CONTACT,
    campaign: { name: 'Sample campaign' },
    unsubscribeUrl: 'https://example.com/unsubscribe',
  }
}

/**
 * Renders a saved template for one recipient. The HTML part escapes every output; the text part,
 * when the template has none, is derived from the rendered HTML.
 *
 * @example
 * renderTemplate({ subject: 'Hi {{contact.firstName | default: "there"}}', html: '<p>{{contact.firstName}}</p>' },
 *   { contact: { firstName: '<b>Bo</b>' } })
 * // → { subject: 'Hi <b>Bo</b>', html: '<p>&lt;b&gt;Bo&lt;/b&gt;</p>', text: '&lt;b&gt;...' }
 */
/** Parsed parts, by engine and source: a batch renders the same template for every recipient. */
const parsedCache = new Map<string, ReturnType<Liquid['parse']>>()
const PARSED_CACHE_MAX = 64

function renderPart(liquid: Liquid, source: string, scope: object, opts: { renderLimit: number }): string {
  const key = `${liquid === htmlEngine ? 'h' : 'p'}\u0000${source}`
  let parsed = parsedCache.get(key)
  if (!parsed) {
    parsed = liquid.parse(source)
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.delete(parsedCache.keys().next().value as string)
    parsedCache.set(key, parsed)
  }
  return String(liquid.renderSync(parsed, scope, opts))
}

export function renderTemplate(t: TemplateParts, ctx: RenderContext): RenderedMail {
  const scope = { ...ctx, campaign: ctx.campaign ?? {} }
  const opts = { renderLimit: RENDER_LIMIT_MS }
  // Subjects are one line: a newline in a contact's value must not start a header.
  const subject = renderPart(plainEngine, t.subject, scope, opts)
    .replace(/[\r\n]+/g, ' ')
    .trim()
  const html = renderPart(htmlEngine, t.html, scope, opts)
  const text = t.text !== undefined ? renderPart(plainEngine, t.text, scope, opts) : htmlToText(html)
  return { subject, html, text }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#x27': "'",
  nbsp: ' ',
}

/** A readable plain-text alternative of an HTML body (links kept as `text (url)`). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(
      /<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi,
      (_m, url: string, label: string) => {
        const inner = label.replace(/<[^>]+>/g, '').trim()
        return inner && inner !== url ? `${inner} (${url})` : url
      },
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_m, e: string) => ENTITIES[e] ?? '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** Only these schemes are tracked and redirected to: a `javascript:` link must never become a redirect. */
const TRACKABLE = /^https?:\/\//i

/**
 * The HTML with every `http(s)` link's `href` replaced by `track(url)` (click tracking). Links to
 * other schemes (`mailto:`, `tel:`) and anchors stay as they are. Entities in the href (`&amp;`) are
 * decoded first, so the tracked URL is the one the browser would have opened.
 */
export function rewriteLinks(html: string, track: (url: string, index: number) => string): string {
  let index = 0
  return html.replace(
    /(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2/gi,
    (whole, start: string, quote: string, href: string) => {
      const url = href.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? '').trim()
      if (!TRACKABLE.test(url)) return whole
      const tracked = track(url, index++).replace(/&/g, '&amp;').replace(/"/g, '&quot;')
      return `${start}${quote}${tracked}${quote}`
    },
  )
}

/** The distinct trackable links of an HTML body, in order (what `rewriteLinks` will replace). */
export function trackableLinks(html: string): string[] {
  const urls: string[] = []
  rewriteLinks(html, (url) => {
    urls.push(url)
    return url
  })
  return urls
}

/**
 * The HTML with the open pixel (1×1 GIF) before `</body>`, or at the end when there is none.
 * `alt=""` and zero size so clients that block images show nothing.
 */
export function withOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${pixelUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px" />`
  const at = html.search(/<\/body\s*>/i)
  return at >= 0 ? `${html.slice(0, at)}${img}${html.slice(at)}` : `${html}${img}`
}

/**
 * The unsubscribe footer a bulk sender must show (Gmail/Yahoo 2024 rules: a visible link besides
 * the List-Unsubscribe header), added unless the template already uses `unsubscribeUrl`.
 */
export function withUnsubscribeFooter(
  mail: RenderedMail,
  template: TemplateParts,
  unsubscribeUrl: string,
): RenderedMail {
  const usesLink = (s: string | undefined) => s !== undefined && /\bunsubscribeUrl\b/.test(s)
  const href = unsubscribeUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
  const footer = `<p style="font-size:12px;color:#666">You receive this email because you agreed to hear from us. <a href="${href}">Unsubscribe</a></p>`
  const html = usesLink(template.html)
    ? mail.html
    : (() => {
        const at = mail.html.search(/<\/body\s*>/i)
        return at >= 0 ? `${mail.html.slice(0, at)}${footer}${mail.html.slice(at)}` : `${mail.html}${footer}`
      })()
  const text = usesLink(template.text) ? mail.text : `${mail.text}\n\n--\nUnsubscribe: ${unsubscribeUrl}`
  return { subject: mail.subject, html, text }
}
