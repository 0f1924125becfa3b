/** Templates, pure: escaping, personalisation, save-time refusals, tracked links, pixel and footer. */
import { describe, expect, it } from 'vitest'
import {
  htmlToText,
  renderTemplate,
  rewriteLinks,
  templateProblems,
  trackableLinks,
  withOpenPixel,
  withUnsubscribeFooter,
} from '../src/domain/template.js'

const hello = {
  subject: 'Hi {{ contact.firstName | default: "there" }}',
  html: '<p>Hello {{ contact.firstName | default: "there" }} from {{ campaign.name }}</p>',
}

describe('renderTemplate', () => {
  it('escapes every output of the HTML part, so contact data can never become markup', () => {
    const out = renderTemplate(hello, {
      contact: { firstName: '<script>alert("x")</script>' },
      campaign: { name: 'Tom & Jerry' },
    })
    expect(out.html).toBe('<p>Hello &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; from Tom &amp; Jerry</p>')
    expect(out.html).not.toContain('<script>')
  })

  it('does not escape the subject (not HTML) but keeps it on one line', () => {
    const out = renderTemplate(hello, { contact: { firstName: 'Bo <b>\r\nBcc: x@y.z' } })
    expect(out.subject).toBe('Hi Bo <b> Bcc: x@y.z')
  })

  it('falls back on default for a missing or empty name, in any script', () => {
    expect(renderTemplate(hello, { contact: {} }).subject).toBe('Hi there')
    expect(renderTemplate(hello, { contact: { firstName: '' } }).subject).toBe('Hi there')
    expect(renderTemplate(hello, { contact: { firstName: 'สมชาย' } }).subject).toBe('Hi สมชาย')
  })

  it('derives the text part from the HTML when the template has none, links kept', () => {
    const out = renderTemplate(
      {
        subject: 's',
        html: '<p>Hi {{ contact.firstName }}</p><p><a href="https://x.test/a?b=1&amp;c=2">Offer</a></p>',
      },
      { contact: { firstName: 'A&B' } },
    )
    expect(out.text).toBe('Hi A&B\nOffer (https://x.test/a?b=1&c=2)')
  })

  it('never reaches an object prototype (ownPropertyOnly)', () => {
    const out = renderTemplate(
      { subject: '{{ contact.constructor }}', html: '{{ contact.__proto__ }}' },
      { contact: {} },
    )
    expect(out.subject).toBe('')
    expect(out.html).toBe('')
  })
})

describe('templateProblems (save time)', () => {
  it('accepts a good template', () => {
    expect(templateProblems({ ...hello, text: 'Hi {{ contact.firstName | upcase }}' })).toEqual([])
  })

  it('names the part with a syntax error', () => {
    const problems = templateProblems({ subject: 'ok', html: '<p>{% if contact.firstName %}unclosed</p>' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ field: 'html', code: 'invalid_template' })
  })

  it('refuses unknown filters (a typo would drop the value silently)', () => {
    expect(templateProblems({ subject: '{{ contact.firstName | upcas }}', html: 'x' })[0]?.field).toBe(
      'subject',
    )
  })

  it('refuses raw (it would switch escaping off) and partials (file system)', () => {
    const raw = templateProblems({ subject: 's', html: '{{ contact.firstName | raw }}' })
    expect(raw[0]?.message).toMatch(/raw/)
    const include = templateProblems({ subject: 's', html: 'x', text: '{% include "/etc/passwd" %}' })
    expect(include[0]).toMatchObject({ field: 'text' })
    expect(include[0]?.message).toMatch(/include/)
  })

  it('refuses a runaway template at save time (memory and time limits)', () => {
    const loop = templateProblems({ subject: 's', html: '{% for i in (1..10000000) %}{{ i }}{% endfor %}' })
    expect(loop[0]?.field).toBe('html')
    const grow = templateProblems({
      subject: 's',
      html: '{% assign a = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign a = a | append: a %}{% endfor %}{{ a | size }}',
    })
    expect(grow[0]?.field).toBe('html')
  })
})

describe('links, pixel and footer', () => {
  it('rewrites only http(s) links, decoding entities first', () => {
    const html =
      '<a href="https://x.test/?a=1&amp;b=2">x</a><a href="mailto:a@b.c">m</a><a href=\'javascript:alert(1)\'>j</a><a href="#top">t</a>'
    const out = rewriteLinks(html, (url, i) => `https://t.test/${i}?u=${encodeURIComponent(url)}&z=1`)
    expect(out).toContain('href="https://t.test/0?u=https%3A%2F%2Fx.test%2F%3Fa%3D1%26b%3D2&amp;z=1"')
    expect(out).toContain('href="mailto:a@b.c"')
    expect(out).toContain("href='javascript:alert(1)'")
    expect(trackableLinks(html)).toEqual(['https://x.test/?a=1&b=2'])
  })

  it('puts the pixel before </body>, or at the end', () => {
    expect(withOpenPixel('<html><body><p>x</p></body></html>', 'https://p.test/o')).toMatch(
      /<p>x<\/p><img src="https:\/\/p.test\/o"[^>]*\/><\/body>/,
    )
    expect(withOpenPixel('<p>x</p>', 'https://p.test/o?a&b')).toMatch(
      /^<p>x<\/p><img src="https:\/\/p.test\/o\?a&amp;b"/,
    )
  })

  it('adds a visible unsubscribe link unless the template places unsubscribeUrl itself', () => {
    const mail = { subject: 's', html: '<p>x</p>', text: 'x' }
    const added = withUnsubscribeFooter(mail, { subject: 's', html: '<p>x</p>' }, 'https://u.test/1')
    expect(added.html).toContain('<a href="https://u.test/1">Unsubscribe</a>')
    expect(added.text).toContain('Unsubscribe: https://u.test/1')
    const own = withUnsubscribeFooter(
      mail,
      { subject: 's', html: '<a href="{{ unsubscribeUrl }}">Leave</a>', text: 'Leave: {{ unsubscribeUrl }}' },
      'https://u.test/1',
    )
    expect(own).toEqual(mail)
  })

  it('htmlToText drops scripts and styles', () => {
    expect(htmlToText('<style>p{}</style><script>x()</script><p>a</p>')).toBe('a')
  })
})
