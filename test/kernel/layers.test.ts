import { describe, expect, it } from 'vitest'
import { cycles, importGraph } from './import-graph.js'

const graph = importGraph()

describe('layers', () => {
  it('has no import cycle anywhere (type-only imports count)', () => {
    expect(cycles(graph).map((c) => c.join(' ↔ '))).toEqual([])
  })

  it('never lets packages/ import services/ or infra/ (tests of packages included)', () => {
    const upward = [...graph]
      .filter(([file]) => file.startsWith('packages/'))
      .flatMap(([file, deps]) =>
        [...deps]
          .filter((d) => d.startsWith('services/') || d.startsWith('infra/'))
          .map((d) => `${file} → ${d}`),
      )
    expect(upward).toEqual([])
  })

  it('never lets one service import another service (they meet through events and contracts)', () => {
    const service = (f: string) => /^services\/([^/]+)\//.exec(f)?.[1]
    const across = [...graph].flatMap(([file, deps]) => {
      const own = service(file)
      if (!own || own === 'platform') return []
      return [...deps].filter((d) => service(d) && service(d) !== own).map((d) => `${file} → ${d}`)
    })
    expect(across).toEqual([])
  })
})
