/**
 * Content negotiation (RFC 9110 §12.5.1), pure: the offered media type the `Accept` header ranks
 * highest. Quality 0 refuses a type; a more specific range (`text/csv`) outranks a wider one
 * (`text/*`, `*\/*`) for the same type; ties go to the order of `offered` (JSON first).
 */
export function negotiate(accept: string | undefined, offered: readonly string[]): string | undefined {
  if (!accept || accept.trim() === '') return offered[0]
  const ranges = accept.split(',').flatMap((part) => {
    const [range, ...params] = part.trim().toLowerCase().split(';')
    if (!range || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$|^\*\/\*$/.test(range.trim())) return []
    let q = 1
    for (const p of params) {
      const [k, v] = p.trim().split('=')
      if (k === 'q') q = Math.min(1, Math.max(0, Number(v) || 0))
    }
    return [{ range: range.trim(), q }]
  })
  let best: { type: string; q: number } | undefined
  for (const type of offered) {
    const [major] = type.split('/')
    // The most specific range that matches decides the type's quality.
    const match =
      ranges.find((r) => r.range === type) ??
      ranges.find((r) => r.range === `${major}/*`) ??
      ranges.find((r) => r.range === '*/*')
    if (match && match.q > 0 && (!best || match.q > best.q)) best = { type, q: match.q }
  }
  return best?.type
}
