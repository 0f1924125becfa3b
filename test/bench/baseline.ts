/**
 * `--baseline=<file>`: the "Bundles" table of an earlier run's output, to compare this run's bundles
 * with. The rule (issue 8): no function's bundle or cold import may grow by more than 5%.
 */
import { readFileSync } from 'node:fs'
import type { BundleFigure } from './bundles.js'

export const GROWTH_LIMIT = 0.05

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 * 1024 }

/** Reads the Bundles table (function, size, cold import, ...) of a `npm run bench` output. */
export function readBaseline(file: string): Map<string, BundleFigure> {
  const lines = readFileSync(file, 'utf8').split('\n')
  const start = lines.findIndex((l) => l.startsWith('Bundles'))
  const header = lines.findIndex((l, i) => i > start && /^function\s+size\s+cold import/.test(l))
  if (start < 0 || header < 0) throw new Error(`${file}: no "Bundles" table`)
  const out = new Map<string, BundleFigure>()
  for (const line of lines.slice(header + 2)) {
    if (!line.trim()) break
    const [fn, size, cold] = line.trim().split(/\s{2,}/)
    const sizeMatch = /^([\d.]+) (B|KB|MB)$/.exec(size ?? '')
    const coldMatch = /^([\d.]+) ms$/.exec(cold ?? '')
    if (!fn || !sizeMatch || !coldMatch) throw new Error(`${file}: cannot read bundle row "${line}"`)
    out.set(fn, {
      fn,
      bytes: Number(sizeMatch[1]) * UNITS[sizeMatch[2]!]!,
      coldMs: Number(coldMatch[1]),
    })
  }
  return out
}

const pct = (now: number, before: number) => {
  const d = (now - before) / before
  return `${d >= 0 ? '+' : '−'}${Math.abs(100 * d).toFixed(1)}%`
}

/** The comparison cell of one function, and whether it grew past the limit. */
export function compare(
  f: BundleFigure,
  baseline: Map<string, BundleFigure>,
): { cell: string; grew: string[] } {
  const before = baseline.get(f.fn)
  if (!before) return { cell: 'new', grew: [] }
  const grew: string[] = []
  // The baseline holds sizes as printed (0.1 KB): compare like with like.
  const bytes = Math.round(f.bytes / 102.4) * 102.4
  if (bytes > (1 + GROWTH_LIMIT) * before.bytes) grew.push('size')
  if (f.coldMs > (1 + GROWTH_LIMIT) * before.coldMs) grew.push('import')
  return {
    cell: `${pct(bytes, before.bytes)} / ${pct(f.coldMs, before.coldMs)}${grew.length ? ` ▲ ${grew.join('+')} > 5%` : ''}`,
    grew,
  }
}
