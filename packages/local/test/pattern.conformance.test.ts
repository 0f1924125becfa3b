import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import JSON5 from 'json5'
import { describe, expect, it } from 'vitest'
import { InvalidPatternError, matches, parsePattern, validatePattern } from '../src/bus/pattern.js'

// Answers real EventBridge gave (see the folder's README.md for source and licence).
const dir = fileURLToPath(new URL('../../../test/fixtures/eventbridge-patterns/', import.meta.url))
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json5'))
  .sort()

describe('EventBridge conformance vectors', () => {
  it('finds every vector', () => {
    // 155 JSON5 files plus the repeated-key case kept as two plain JSON files.
    expect(cases).toHaveLength(155)
  })

  for (const file of cases) {
    const name = file.slice(0, -'.json5'.length)
    it(name, () => {
      // Prepare
      const { Event: event, EventPattern: pattern } = JSON5.parse(readFileSync(dir + file, 'utf8'))

      // Act + Assess
      if (name.endsWith('_EXC')) {
        expect(() => validatePattern(pattern)).toThrow(InvalidPatternError)
      } else {
        validatePattern(pattern)
        expect(matches(pattern, event)).toBe(!name.endsWith('_NEG'))
      }
    })
  }

  it('complex_multi_key_event', () => {
    // Prepare: the pattern repeats "location"; parsePattern folds repeated keys as event-ruler does.
    const event = JSON.parse(readFileSync(dir + 'complex_multi_key_event.json', 'utf8'))
    const pattern = parsePattern(readFileSync(dir + 'complex_multi_key_event_pattern.json', 'utf8'))

    // Act
    const matched = matches(pattern, event)

    // Assess
    expect(matched).toBe(true)
  })
})
