// The registry this project installs from does not serve biome's non-Linux binaries, so npm
// cannot lock them; npm ci then refuses the lock. Recording them as platform-gated optional
// entries keeps npm ci happy and it skips them on Linux, as it would have anyway.
import { readFileSync, writeFileSync } from 'node:fs'

const file = process.argv[2] ?? 'package-lock.json'
const lock = JSON.parse(readFileSync(file, 'utf8'))
const biome = lock.packages['node_modules/@biomejs/biome']
for (const [name, version] of Object.entries(biome.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  const m = name.match(/cli-(\w+)-(\w+?)(-musl)?$/)
  const entry = { version, cpu: [m[2]], dev: true, license: 'MIT OR Apache-2.0', optional: true, os: [m[1]] }
  if (m[3]) entry.libc = ['musl']
  lock.packages[key] = entry
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
