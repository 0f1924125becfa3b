/**
 * Bundle size and cold import time of every manifest function, bundled the way the CDK app bundles
 * it, against an empty handler bundled the same way (the floor of this run on this machine).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { BUNDLING } from '../../infra/lib/bundling.js'
import { services } from '../../services/index.js'
import { percentile } from './stats.js'

export interface BundleFigure {
  fn: string
  bytes: number
  coldMs: number
}

const OUT = join(process.cwd(), '.bench', 'bundles')

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(OUT, `${name}.mjs`)
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target ?? 'node22',
    mainFields: BUNDLING.mainFields ?? ['module', 'main'],
    minify: true,
    treeShaking: true,
    banner: { js: BUNDLING.banner ?? '' },
    logLevel: 'error',
  })
  return outfile
}

/** Median of several fresh-process imports: each is a cold start's module load, nothing else. */
function coldImportMs(file: string, runs: number): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, AWS_REGION: 'us-east-1' },
    })
    times.push(Number(out.toString()))
  }
  return percentile(times, 50)
}

/** `only`: measure just the functions whose `<service>/<function>` name contains it. */
export async function measureBundles(
  runs = 5,
  only?: string,
): Promise<{ floor: BundleFigure; functions: BundleFigure[] }> {
  mkdirSync(OUT, { recursive: true })
  const emptyEntry = join(OUT, 'empty-entry.mjs')
  writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200 })\n')
  const emptyFile = await bundle(emptyEntry, 'empty')
  const floor = {
    fn: '(empty handler)',
    bytes: statSync(emptyFile).size,
    coldMs: coldImportMs(emptyFile, runs),
  }

  const entries: Array<{ fn: string; entry: string }> = []
  for (const { manifest, root } of services) {
    for (const [fn, def] of Object.entries(manifest.functions)) {
      entries.push({ fn: `${manifest.name}/${fn}`, entry: join(root, 'src', def.entry) })
    }
  }
  // The two readers of every outbox stream: events to the bus, work messages to SQS.
  entries.push(
    { fn: 'core/outbox-publisher', entry: join(process.cwd(), 'packages/core/src/outbox-publisher.ts') },
    { fn: 'core/queue-publisher', entry: join(process.cwd(), 'packages/core/src/queue-publisher.ts') },
  )

  const functions: BundleFigure[] = []
  for (const { fn, entry } of entries) {
    if (only && !fn.includes(only)) continue
    const file = await bundle(entry, fn.replace('/', '__'))
    functions.push({ fn, bytes: statSync(file).size, coldMs: coldImportMs(file, runs) })
  }
  return { floor, functions }
}
