/**
 * The repository's import graph (type-only imports included), resolving the `@relay/<pkg>/<sub>`
 * workspace aliases that off-the-shelf cycle finders skip. Read by test/kernel/layers.test.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SCANNED = ['packages', 'services', 'infra', 'test']
const SPEC = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {}
  for (const dir of ['packages', 'services']) {
    for (const d of readdirSync(join(ROOT, dir))) {
      const pj = join(ROOT, dir, d, 'package.json')
      if (existsSync(pj)) aliases[JSON.parse(readFileSync(pj, 'utf8')).name] = join(ROOT, dir, d, 'src')
    }
  }
  return aliases
}

function sourceFiles(): string[] {
  const files: string[] = []
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      if (f === 'node_modules' || f === 'cdk.out' || f.startsWith('.')) continue
      const p = join(d, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (f.endsWith('.ts') && !f.endsWith('.d.ts')) files.push(p)
    }
  }
  for (const d of SCANNED) if (existsSync(join(ROOT, d))) walk(join(ROOT, d))
  return files
}

function toTs(p: string): string | undefined {
  for (const c of [p.replace(/\.js$/, '.ts'), `${p}.ts`, join(p, 'index.ts')]) if (existsSync(c)) return c
  return undefined
}

/** file (relative to the root) → the repository files it imports. */
export function importGraph(): Map<string, Set<string>> {
  const aliases = workspaceAliases()
  const graph = new Map<string, Set<string>>()
  for (const f of sourceFiles()) {
    const deps = new Set<string>()
    for (const m of readFileSync(f, 'utf8').matchAll(SPEC)) {
      const s = (m[1] ?? m[2]) as string
      let target: string | undefined
      if (s.startsWith('.')) target = toTs(resolve(dirname(f), s))
      else {
        const pkg = Object.keys(aliases).find((a) => s === a || s.startsWith(`${a}/`))
        if (pkg) target = toTs(join(aliases[pkg] as string, s.slice(pkg.length + 1)))
      }
      if (target) deps.add(relative(ROOT, target))
    }
    graph.set(relative(ROOT, f), deps)
  }
  return graph
}

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number))
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop() as string
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component)
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}
