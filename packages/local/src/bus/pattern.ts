/**
 * Local EventBridge event-pattern matcher.
 *
 * EventBridge runs AWS's event-ruler; this module follows its semantics so that a rule that matches
 * locally matches in AWS and a pattern AWS rejects is rejected when a manifest is loaded. The
 * conformance vectors in `test/fixtures/eventbridge-patterns/` (answers real EventBridge gave) are the
 * spec; where they are silent, AWS's documentation and event-ruler's observable behaviour decide.
 *
 * Model (as in event-ruler): a pattern compiles into alternative branches (one per `$or` choice), each a
 * map from a dot-joined field path to the conditions of that field. An event is flattened into leaves
 * (path, scalar value); keys are joined with `.`, so `{"a.b": 1}` and `{"a": {"b": 1}}` are the same
 * path, and the elements of an array share their parent's path. A branch matches when every field has
 * a leaf satisfying one of its conditions, and the leaves chosen for the fields come from the same
 * element of any array they both sit in (event-ruler's array consistency).
 */

/** An EventBridge event pattern (a parsed JSON object). */
export type EventPattern = Record<string, unknown>

/** Thrown for a pattern EventBridge would reject; `path` says where (e.g. `detail.state[0].prefix`). */
export class InvalidPatternError extends Error {
  readonly path: string

  constructor(path: string, reason: string) {
    super(`Event pattern is not valid${path ? ` at ${path}` : ''}: ${reason}`)
    this.name = 'InvalidPatternError'
    this.path = path
  }
}

type Scalar = string | number | boolean | null

type Cond =
  | { readonly k: 'exact'; readonly v: Scalar }
  | { readonly k: 'prefix'; readonly s: string; readonly ic: boolean }
  | { readonly k: 'suffix'; readonly s: string; readonly ic: boolean }
  | { readonly k: 'eqic'; readonly s: string }
  | { readonly k: 'wildcard'; readonly w: WildcardToken[] }
  | {
      readonly k: 'numeric'
      readonly lo: number
      readonly loOpen: boolean
      readonly hi: number
      readonly hiOpen: boolean
    }
  | { readonly k: 'exists' }
  | { readonly k: 'absent' }
  | { readonly k: 'cidr'; readonly lo: Uint8Array; readonly hi: Uint8Array }
  | { readonly k: 'notValues'; readonly strings: ReadonlySet<string>; readonly numbers: ReadonlySet<number> }
  | { readonly k: 'notPrefix'; readonly list: readonly string[] }
  | { readonly k: 'notSuffix'; readonly list: readonly string[] }
  | { readonly k: 'notEqic'; readonly list: readonly string[] }
  | { readonly k: 'notWildcard'; readonly list: readonly WildcardToken[][] }

/** A literal character, or `null` for `*`. */
type WildcardToken = string | null

interface Field {
  readonly path: string
  readonly conds: readonly Cond[]
  /** True when one condition is `exists: false`, satisfied by the field having no leaf at all. */
  readonly absentOk: boolean
}

interface Compiled {
  readonly branches: readonly (readonly Field[])[]
  /** Every dot-joined prefix of every referenced path: lets flattening skip irrelevant subtrees. */
  readonly prefixes: ReadonlySet<string>
}

/** event-ruler compares numbers as fixed-point values in this range with six decimals. */
const NUMBER_LIMIT = 5e9
/** event-ruler's limit on wildcard prefixes that can be live at once within one field. */
const WILDCARD_COMPLEXITY_LIMIT = 10
/** Our own guard against `$or` nesting that multiplies into an unreasonable number of branches. */
const MAX_BRANCHES = 1024
const OR = '$or'
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'exact',
])

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const fail = (path: string, reason: string): never => {
  throw new InvalidPatternError(path, reason)
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v

// ---------------------------------------------------------------------------------------------
// Compilation (validation and branch expansion in one walk, as event-ruler does)
// ---------------------------------------------------------------------------------------------

type Branch = Map<string, Field>

function compile(pattern: unknown): Compiled {
  if (!isPlainObject(pattern)) fail('', `the pattern must be a JSON object, got ${describe(pattern)}`)
  let branches: Branch[] = [new Map()]
  branches = compileObject(pattern as Record<string, unknown>, [], '', branches, false)
  const prefixes = new Set<string>()
  for (const branch of branches) {
    for (const field of branch.values()) {
      checkWildcardComplexity(field)
      let at = field.path.indexOf('.')
      while (at !== -1) {
        prefixes.add(field.path.slice(0, at))
        at = field.path.indexOf('.', at + 1)
      }
      prefixes.add(field.path)
    }
  }
  return { branches: branches.map((b) => [...b.values()]), prefixes }
}

/**
 * Walks one pattern object. `keys` is the field path so far (joined with `.` as the event's keys are),
 * `where` the human-readable location for errors. Later keys override earlier ones on the same path
 * within a branch, as event-ruler does (which is also why a repeated JSON key means "last one wins").
 */
function compileObject(
  obj: Record<string, unknown>,
  keys: readonly string[],
  where: string,
  branches: Branch[],
  insideOr: boolean,
): Branch[] {
  const entries = Object.entries(obj)
  if (entries.length === 0) fail(where, 'empty objects are not allowed')
  let current = branches
  for (const [key, value] of entries) {
    const at = where ? `${where}.${key}` : key
    if (key === OR) {
      current = compileOr(value, keys, at, current)
      continue
    }
    if (insideOr && OPERATORS.has(key)) {
      fail(at, `"${key}" is a reserved name that cannot be used as a field inside "$or"`)
    }
    if (isPlainObject(value)) {
      current = compileObject(value, [...keys, key], at, current, insideOr)
    } else if (Array.isArray(value)) {
      const field = compileField([...keys, key].join('.'), value, at)
      for (const branch of current) branch.set(field.path, field)
    } else {
      fail(at, `the value must be an object or an array, got ${describe(value)}`)
    }
  }
  return current
}

function compileOr(value: unknown, keys: readonly string[], where: string, branches: Branch[]): Branch[] {
  if (!Array.isArray(value)) fail(where, '"$or" must be followed by an array')
  const alternatives = value as unknown[]
  if (alternatives.length < 2) fail(where, '"$or" needs at least 2 objects')
  const out: Branch[] = []
  alternatives.forEach((alt, i) => {
    const at = `${where}[${i}]`
    if (!isPlainObject(alt)) fail(at, `only objects are allowed in "$or", got ${describe(alt)}`)
    const copies = branches.map((b) => new Map(b))
    out.push(...compileObject(alt as Record<string, unknown>, keys, at, copies, true))
    if (out.length > MAX_BRANCHES) fail(where, `"$or" expands to more than ${MAX_BRANCHES} alternatives`)
  })
  return out
}

function compileField(path: string, values: unknown[], where: string): Field {
  if (values.length === 0) fail(where, 'empty arrays are not allowed')
  const conds: Cond[] = []
  values.forEach((v, i) => {
    const at = `${where}[${i}]`
    if (v === null || typeof v === 'string' || typeof v === 'boolean') conds.push({ k: 'exact', v })
    else if (typeof v === 'number') conds.push({ k: 'exact', v: finite(v, at) })
    else if (isPlainObject(v)) conds.push(compileOperator(v, at))
    else
      fail(
        at,
        `a match value must be a string, number, boolean, null or an operator object, got ${describe(v)}`,
      )
  })
  return { path, conds, absentOk: conds.some((c) => c.k === 'absent') }
}

function finite(n: number, where: string): number {
  if (!Number.isFinite(n)) fail(where, 'numbers must be finite')
  return n
}

function onlyKey(obj: Record<string, unknown>, where: string, what: string): [string, unknown] {
  const entries = Object.entries(obj)
  if (entries.length === 0) fail(where, `${what} name not found`)
  if (entries.length > 1) fail(where, `only one key is allowed in ${what}, got ${entries.length}`)
  return entries[0]!
}

function stringOf(v: unknown, where: string, what: string): string {
  if (typeof v !== 'string') fail(where, `${what} must be a string, got ${describe(v)}`)
  return v as string
}

function compileOperator(obj: Record<string, unknown>, where: string): Cond {
  const [op, arg] = onlyKey(obj, where, 'a match expression')
  const at = `${where}.${op}`
  switch (op) {
    case 'exact':
      return { k: 'exact', v: stringOf(arg, at, 'exact match pattern') }
    case 'prefix':
    case 'suffix': {
      if (isPlainObject(arg)) {
        const [inner, s] = onlyKey(arg, at, `a ${op} expression`)
        if (inner !== 'equals-ignore-case') fail(`${at}.${inner}`, `unsupported ${op} pattern "${inner}"`)
        return { k: op, s: stringOf(s, `${at}.${inner}`, 'equals-ignore-case match pattern'), ic: true }
      }
      return { k: op, s: stringOf(arg, at, `${op} match pattern`), ic: false }
    }
    case 'equals-ignore-case':
      return { k: 'eqic', s: stringOf(arg, at, 'equals-ignore-case match pattern') }
    case 'wildcard':
      return { k: 'wildcard', w: parseWildcard(stringOf(arg, at, 'wildcard match pattern'), at) }
    case 'numeric':
      return compileNumeric(arg, at)
    case 'exists':
      if (typeof arg !== 'boolean') fail(at, `exists match pattern must be either true or false`)
      return arg ? { k: 'exists' } : { k: 'absent' }
    case 'cidr': {
      const range = parseCidr(stringOf(arg, at, 'cidr match pattern'))
      if (typeof range === 'string') fail(at, range)
      return range as Cond
    }
    case 'anything-but':
      return compileAnythingBut(arg, at)
    default:
      return fail(at, `unrecognized match type "${op}"`)
  }
}

function comparable(n: unknown, where: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) fail(where, `expected a number, got ${describe(n)}`)
  const x = n as number
  if (x < -NUMBER_LIMIT || x > NUMBER_LIMIT) fail(where, `numbers must be between -5e9 and 5e9, got ${x}`)
  if (Number(x.toFixed(6)) !== x) fail(where, `numbers may have at most 6 decimals, got ${x}`)
  return x
}

function compileNumeric(arg: unknown, where: string): Cond {
  if (!Array.isArray(arg)) fail(where, `the value of numeric must be an array, got ${describe(arg)}`)
  const terms = arg as unknown[]
  const opAt = (i: number) => `${where}[${i}]`
  const first = terms[0]
  if (typeof first !== 'string') fail(opAt(0), 'numeric expression must start with an operator')
  const value = comparable(terms[1], opAt(1))
  let lo = Number.NEGATIVE_INFINITY
  let hi = Number.POSITIVE_INFINITY
  let loOpen = false
  let hiOpen = false
  let rest = 2
  switch (first) {
    case '=':
      lo = hi = value
      break
    case '<':
    case '<=':
      hi = value
      hiOpen = first === '<'
      break
    case '>':
    case '>=': {
      lo = value
      loOpen = first === '>'
      if (terms.length > 2) {
        const second = terms[2]
        if (second !== '<' && second !== '<=')
          fail(opAt(2), `bad upper-bound operator ${JSON.stringify(second)}`)
        hi = comparable(terms[3], opAt(3))
        hiOpen = second === '<'
        if (hi <= lo) fail(where, 'bottom must be less than top')
        rest = 4
      }
      break
    }
    default:
      fail(opAt(0), `unrecognized numeric operator ${JSON.stringify(first)}`)
  }
  if (terms.length > rest) fail(where, 'too many terms in numeric expression')
  return { k: 'numeric', lo, loOpen, hi, hiOpen }
}

function compileAnythingBut(arg: unknown, where: string): Cond {
  if (isPlainObject(arg)) {
    const [inner, value] = onlyKey(arg, where, 'an anything-but expression')
    const at = `${where}.${inner}`
    if (!['equals-ignore-case', 'prefix', 'suffix', 'wildcard'].includes(inner)) {
      fail(at, `unsupported anything-but pattern "${inner}"`)
    }
    const list = Array.isArray(value) ? value : [value]
    const strings = list.map((s, i) => {
      const itemAt = Array.isArray(value) ? `${at}[${i}]` : at
      const text = stringOf(s, itemAt, `anything-but/${inner} value`)
      if ((inner === 'prefix' || inner === 'suffix') && text === '')
        fail(itemAt, `empty ${inner} is not allowed`)
      return text
    })
    switch (inner) {
      case 'prefix':
        return { k: 'notPrefix', list: strings }
      case 'suffix':
        return { k: 'notSuffix', list: strings }
      case 'equals-ignore-case':
        return { k: 'notEqic', list: strings.map(fold) }
      default:
        return { k: 'notWildcard', list: strings.map((s) => parseWildcard(s, at)) }
    }
  }
  const list = Array.isArray(arg) ? arg : [arg]
  const strings = new Set<string>()
  const numbers = new Set<number>()
  list.forEach((v, i) => {
    const at = Array.isArray(arg) ? `${where}[${i}]` : where
    if (typeof v === 'string') strings.add(v)
    else if (typeof v === 'number') numbers.add(comparable(v, at))
    else fail(at, `anything-but values must be strings or numbers, got ${describe(v)}`)
  })
  if (strings.size > 0 && numbers.size > 0)
    fail(where, 'anything-but values must be all strings or all numbers')
  if (strings.size === 0 && numbers.size === 0) fail(where, 'anything-but needs at least one value')
  return { k: 'notValues', strings, numbers }
}

// ---------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------

function parseWildcard(text: string, where: string): WildcardToken[] {
  const out: WildcardToken[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '*') {
      if (text[i + 1] === '*') fail(where, `consecutive wildcard characters at position ${i}`)
      out.push(null)
    } else if (c === '\\') {
      const next = text[i + 1]
      if (next !== '*' && next !== '\\') fail(where, `invalid escape character at position ${i}`)
      out.push(next as string)
      i++
    } else {
      out.push(c)
    }
  }
  return out
}

/** Glob match with backtracking to the last `*` only: linear for the usual patterns, never exponential. */
function wildcardMatches(tokens: readonly WildcardToken[], s: string): boolean {
  let t = 0
  let i = 0
  let star = -1
  let resume = 0
  while (i < s.length) {
    const tok = tokens[t]
    if (t < tokens.length && tok !== null && tok === s[i]) {
      t++
      i++
    } else if (t < tokens.length && tok === null) {
      star = t++
      resume = i
    } else if (star !== -1) {
      t = star + 1
      i = ++resume
    } else {
      return false
    }
  }
  while (t < tokens.length && tokens[t] === null) t++
  return t === tokens.length
}

/**
 * EventBridge rejects wildcard sets that can keep too many partial matches alive at once ("Rule is too
 * complex"). We estimate that the way event-ruler does in spirit: run the field's wildcard patterns as
 * one NFA over every distinct input character and take the most states that can be live together.
 */
function checkWildcardComplexity(field: Field): void {
  const patterns: (readonly WildcardToken[])[] = []
  for (const c of field.conds) {
    if (c.k === 'wildcard') patterns.push(c.w)
    else if (c.k === 'notWildcard') patterns.push(...c.list)
  }
  if (patterns.length === 0) return
  const alphabet = new Set<string>()
  for (const p of patterns) for (const t of p) if (t !== null) alphabet.add(t)
  const other = '\u0000other'
  const inputs = [...alphabet, other]
  // A state is [pattern index, position]; a `*` at a position lets that position loop on any input.
  const closure = (states: Set<string>): Set<string> => {
    const out = new Set<string>()
    const stack = [...states]
    while (stack.length > 0) {
      const key = stack.pop()!
      if (out.has(key)) continue
      out.add(key)
      const [p, pos] = key.split(':').map(Number) as [number, number]
      if (patterns[p]![pos] === null) stack.push(`${p}:${pos + 1}`)
    }
    return out
  }
  const start = closure(new Set(patterns.map((_, p) => `${p}:0`)))
  const seen = new Set<string>()
  const queue = [start]
  let explored = 0
  while (queue.length > 0 && explored < 2000) {
    const active = queue.shift()!
    const id = [...active].sort().join(',')
    if (seen.has(id)) continue
    seen.add(id)
    explored++
    if (active.size > WILDCARD_COMPLEXITY_LIMIT) {
      fail(
        field.path,
        'rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      )
    }
    for (const ch of inputs) {
      const next = new Set<string>()
      for (const key of active) {
        const [p, pos] = key.split(':').map(Number) as [number, number]
        const tok = patterns[p]![pos]
        if (tok === null) next.add(key)
        else if (tok === ch) next.add(`${p}:${pos + 1}`)
      }
      if (next.size > 0) queue.push(closure(next))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CIDR
// ---------------------------------------------------------------------------------------------

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!
    if (!/^\d{1,3}$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    out[i] = n
  }
  return out
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const groups = (h: string): number[] | undefined => {
    if (h === '') return []
    const out: number[] = []
    const parts = h.split(':')
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p)
        if (!v4) return undefined
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined
        out.push(Number.parseInt(p, 16))
      }
    }
    return out
  }
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  if (!head || !tail) return undefined
  // The IPv4 tail is only legal at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail]
  const out = new Uint8Array(16)
  all.forEach((g, i) => {
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  })
  return out
}

const parseIp = (s: string): Uint8Array | undefined => (s.includes(':') ? parseIPv6(s) : parseIPv4(s))

/**
 * Like event-ruler, the range runs from the address as written to that address with all host bits
 * set, and the mask must be below the address width (IPv4 0-31, IPv6 0-127).
 */
function parseCidr(text: string): Cond | string {
  const slashed = text.split('/')
  if (slashed.length !== 2) return "malformed CIDR, one '/' required"
  const bitsText = slashed[1]!
  if (!/^\d+$/.test(bitsText)) return 'malformed CIDR, mask bits must be a non-negative integer'
  const bits = Number(bitsText)
  const ip = parseIp(slashed[0]!)
  if (!ip) return `invalid IP address: ${slashed[0]}`
  const width = ip.length * 8
  if (bits >= width) return `${ip.length === 4 ? 'IPv4' : 'IPv6'} mask bits must be < ${width}`
  const hi = new Uint8Array(ip)
  let host = width - bits
  for (let i = hi.length - 1; i >= 0 && host > 0; i--, host -= 8) {
    hi[i] = hi[i]! | (host >= 8 ? 0xff : (1 << host) - 1)
  }
  return { k: 'cidr', lo: ip, hi }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return 0
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** Case folding for the ignore-case operators (Unicode lower case, as Java's toLowerCase). */
const fold = (s: string): string => s.toLowerCase()

const isComparableNumber = (v: Scalar): v is number =>
  typeof v === 'number' && v >= -NUMBER_LIMIT && v <= NUMBER_LIMIT

function condMatches(c: Cond, v: Scalar): boolean {
  switch (c.k) {
    case 'exact':
      return v === c.v
    case 'exists':
      return true
    case 'absent':
      return false
    case 'prefix':
      return typeof v === 'string' && (c.ic ? fold(v).startsWith(fold(c.s)) : v.startsWith(c.s))
    case 'suffix':
      return typeof v === 'string' && (c.ic ? fold(v).endsWith(fold(c.s)) : v.endsWith(c.s))
    case 'eqic':
      return typeof v === 'string' && fold(v) === fold(c.s)
    case 'wildcard':
      return typeof v === 'string' && wildcardMatches(c.w, v)
    case 'numeric':
      return isComparableNumber(v) && (c.loOpen ? v > c.lo : v >= c.lo) && (c.hiOpen ? v < c.hi : v <= c.hi)
    case 'cidr': {
      if (typeof v !== 'string') return false
      const ip = parseIp(v)
      return (
        ip !== undefined &&
        ip.length === c.lo.length &&
        compareBytes(ip, c.lo) >= 0 &&
        compareBytes(ip, c.hi) <= 0
      )
    }
    // anything-but excludes only values of the excluded kind: null, booleans and the other type pass.
    case 'notValues':
      if (typeof v === 'string') return !c.strings.has(v)
      if (typeof v === 'number') return !c.numbers.has(v)
      return true
    case 'notPrefix':
      return typeof v !== 'string' || !c.list.some((p) => v.startsWith(p))
    case 'notSuffix':
      return typeof v !== 'string' || !c.list.some((p) => v.endsWith(p))
    case 'notEqic':
      return typeof v !== 'string' || !c.list.includes(fold(v))
    case 'notWildcard':
      return typeof v !== 'string' || !c.list.some((w) => wildcardMatches(w, v))
  }
}

interface Leaf {
  readonly value: Scalar
  /** Pairs of (array id, element index) for every array this leaf sits in, outermost first. */
  readonly arrays: readonly number[]
}

function flatten(event: Record<string, unknown>, prefixes: ReadonlySet<string>): Map<string, Leaf[]> {
  const leaves = new Map<string, Leaf[]>()
  let nextArrayId = 0
  const visit = (value: unknown, path: string, arrays: readonly number[]): void => {
    if (Array.isArray(value)) {
      const id = nextArrayId++
      value.forEach((el, i) => {
        visit(el, path, [...arrays, id, i])
      })
    } else if (isPlainObject(value)) {
      walk(value, path, arrays)
    } else if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    ) {
      const list = leaves.get(path)
      if (list) list.push({ value, arrays })
      else leaves.set(path, [{ value, arrays }])
    }
  }
  const walk = (obj: Record<string, unknown>, path: string, arrays: readonly number[]): void => {
    for (const key in obj) {
      const p = path ? `${path}.${key}` : key
      if (prefixes.has(p)) visit(obj[key], p, arrays)
    }
  }
  walk(event, '', [])
  return leaves
}

/** Adds a leaf's array positions to the chosen ones; false (and nothing added) on a conflict. */
function consistent(chosen: Map<number, number>, leaf: Leaf, added: number[]): boolean {
  const a = leaf.arrays
  for (let i = 0; i < a.length; i += 2) {
    const at = chosen.get(a[i]!)
    if (at !== undefined && at !== a[i + 1]) {
      for (const id of added) chosen.delete(id)
      added.length = 0
      return false
    }
    if (at === undefined) {
      chosen.set(a[i]!, a[i + 1]!)
      added.push(a[i]!)
    }
  }
  return true
}

function branchMatches(fields: readonly Field[], leaves: Map<string, Leaf[]>): boolean {
  const choices: Leaf[][] = []
  for (const field of fields) {
    const present = leaves.get(field.path)
    if (!present || present.length === 0) {
      if (field.absentOk) continue
      return false
    }
    const hits = present.filter((l) => field.conds.some((c) => condMatches(c, l.value)))
    if (hits.length === 0) return false
    // Leaves outside arrays constrain nothing, so one such hit settles the field.
    if (hits.some((l) => l.arrays.length === 0)) continue
    choices.push(hits)
  }
  if (choices.length <= 1) return true
  choices.sort((a, b) => a.length - b.length)
  const chosen = new Map<number, number>()
  const pick = (i: number): boolean => {
    if (i === choices.length) return true
    for (const leaf of choices[i]!) {
      const added: number[] = []
      if (!consistent(chosen, leaf, added)) continue
      if (pick(i + 1)) return true
      for (const id of added) chosen.delete(id)
    }
    return false
  }
  return pick(0)
}

function run(compiled: Compiled, event: unknown): boolean {
  if (!isPlainObject(event)) return false
  const leaves = flatten(event, compiled.prefixes)
  return compiled.branches.some((fields) => branchMatches(fields, leaves))
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

const cache = new WeakMap<object, Compiled>()

function compiledFor(pattern: unknown): Compiled {
  if (typeof pattern === 'object' && pattern !== null) {
    const hit = cache.get(pattern)
    if (hit) return hit
    const compiled = compile(pattern)
    cache.set(pattern, compiled)
    return compiled
  }
  return compile(pattern)
}

/** Throws InvalidPatternError (message says where and why) for anything EventBridge would reject. */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  compiledFor(pattern)
}

/**
 * True when the event (a full EventBridge event object: version, id, detail-type, source, account,
 * time, region, resources, detail) matches. Throws InvalidPatternError for an invalid pattern.
 * Compiled patterns are cached per pattern object, so do not mutate a pattern after first use.
 */
export function matches(pattern: EventPattern, event: unknown): boolean {
  return run(compiledFor(pattern), event)
}

/** Validates once and returns a fast matcher. */
export function compilePattern(pattern: unknown): (event: unknown) => boolean {
  const compiled = compile(pattern)
  return (event) => run(compiled, event)
}

/**
 * Parses and validates a pattern given as JSON text (as in an EventBridge rule or CloudFormation).
 * A key repeated in one object keeps its last value, which is what EventBridge does too.
 */
export function parsePattern(json: string): EventPattern {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (err) {
    throw new InvalidPatternError('', `not valid JSON (${(err as Error).message})`)
  }
  validatePattern(parsed)
  return parsed
}
