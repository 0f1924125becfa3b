import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compare, readBaseline } from './baseline.js'

const OUTPUT = `Relay CRM benchmark — node v22.23.3, 50 samples per figure

Bundles (esbuild, ESM, minified, as the CDK app builds them); cold import = median fresh-process import
function                         size      cold import  × empty size  × empty import
-------------------------------  --------  -----------  ------------  --------------
(empty handler)                  0.2 KB    4.54 ms      1.0×          1.0×
contacts/create-contact          548.4 KB  60.0 ms      3137.3×       13.2×
core/outbox-publisher            1.1 MB    51.5 ms      2141.9×       11.4×

Warm latency through the local gateway
route  p50
`

describe('the baseline of the bundles', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-baseline-')), 'before.txt')
  writeFileSync(file, OUTPUT)
  const baseline = readBaseline(file)

  it('reads every row of the Bundles table, and only those', () => {
    expect([...baseline.keys()]).toEqual([
      '(empty handler)',
      'contacts/create-contact',
      'core/outbox-publisher',
    ])
    expect(baseline.get('contacts/create-contact')).toEqual({
      fn: 'contacts/create-contact',
      bytes: 548.4 * 1024,
      coldMs: 60,
    })
    expect(baseline.get('core/outbox-publisher')?.bytes).toBeCloseTo(1.1 * 1024 * 1024)
  })

  it('flags growth past 5% of size or cold import, not growth within it', () => {
    const kb = (n: number) => n * 1024
    expect(compare({ fn: 'contacts/create-contact', bytes: kb(575.8), coldMs: 63 }, baseline).grew).toEqual(
      [],
    )
    expect(compare({ fn: 'contacts/create-contact', bytes: kb(576), coldMs: 63.1 }, baseline).grew).toEqual([
      'size',
      'import',
    ])
    expect(compare({ fn: 'contacts/new-one', bytes: 1, coldMs: 1 }, baseline).cell).toBe('new')
  })

  it('refuses a file without a Bundles table', () => {
    const other = join(mkdtempSync(join(tmpdir(), 'bench-baseline-')), 'other.txt')
    writeFileSync(other, 'nothing here\n')
    expect(() => readBaseline(other)).toThrow(/no "Bundles" table/)
  })
})
