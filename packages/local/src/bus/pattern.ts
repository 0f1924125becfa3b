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
      /** Quantized bounds (see `quantize`); infinite when the side is open-ended. */
      readonly lo: number
      readonly loOpen: boolean
      readonly hi: number
      readonly hiOpen: boolean
    }
  | { readonly k: 'exists' }
  | { readonly k: 'absent' }
  | { readonly k: 'cidr'; readonly lo: Uint8Array; readonly hi: Uint8Array }
  /** `numbers` holds quantized values. */
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
/**
 * event-ruler's ComparableNumber: `(long) (1e6 * (5e9 + n))`. Digits past the sixth decimal are dropped,
 * not rejected, so `0.1234567` and `0.1234568` compare equal, as they do in AWS.
 */
const quantize = (n: number): number => Math.trunc(1e6 * (NUMBER_LIMIT + n))
/** Most wildcard prefixes EventBridge lets be live at once within one field ("Rule is too complex"). */
const WILDCARD_COMPLEXITY_LIMIT = 10
/** Bounds the complexity search on pathological inputs; real patterns need a few dozen steps. */
const WILDCARD_COMPLEXITY_STEPS = 5000
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
  checkWildcardComplexity(branches)
  const prefixes = new Set<string>()
  for (const branch of branches) {
    for (const field of branch.values()) {
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
 * within a branch, as event-ruler does (`parsePattern` folds repeated JSON keys the same way).
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
    if (typeof v === 'string') {
      conds.push({ k: 'exact', v })
      // event-ruler turns an exact IP address into a one-address range, so `::1` also matches `0:0::0:1`.
      const ip = parseIp(v)
      if (ip) conds.push({ k: 'cidr', lo: ip, hi: ip })
    } else if (v === null || typeof v === 'boolean') conds.push({ k: 'exact', v })
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
  const q = (n: number) => (Number.isFinite(n) ? quantize(n) : n)
  return { k: 'numeric', lo: q(lo), loOpen, hi: q(hi), hiOpen }
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
    else if (typeof v === 'number') numbers.add(quantize(comparable(v, at)))
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

/** A byte of a wildcard pattern's UTF-8 form, or STAR for `*`. */
const STAR = 256

interface ByteState {
  readonly literal: Map<number, number[]>
  /** The state a `*` loops in; a star state lists itself. */
  readonly any: number[]
  /** The wildcard patterns this state leads to: its weight in the complexity count. */
  readonly patterns: Set<string>
  /** Children along the determinate prefix (before any `*`), shared between patterns as in event-ruler. */
  readonly prefix: Map<number, number>
  star: number
}

const utf8 = new TextEncoder()

/** A pattern as event-ruler stores it: the value's UTF-8 bytes between JSON quotes. */
function wildcardBytes(tokens: readonly WildcardToken[]): number[] {
  const out = [0x22]
  for (const t of tokens) {
    if (t === null) out.push(STAR)
    else out.push(...utf8.encode(t))
  }
  out.push(0x22)
  return out
}

/**
 * EventBridge rejects a field whose wildcard patterns can keep too many partial matches alive at once
 * ("Rule is too complex"). This mirrors event-ruler's MachineComplexityEvaluator: build the field's byte
 * machine the way event-ruler does (patterns share their determinate prefix and first `*` state, and
 * diverge after it), then explore every set of states some input can reach and weigh each set by the
 * patterns reachable from it, counting a `*` state one step ahead too. Above 10 is rejected.
 */
function wildcardComplexity(patterns: readonly { id: string; bytes: readonly number[] }[]): number {
  const states: ByteState[] = []
  const add = (): number =>
    states.push({ literal: new Map(), any: [], patterns: new Set(), prefix: new Map(), star: 0 }) - 1
  add()
  const finals = new Map<string, number>()
  const alphabet = new Set<number>()
  for (const { id, bytes } of patterns) {
    let cur = 0
    let prev = 0
    let determinate = true
    bytes.forEach((tok, i) => {
      const last = i === bytes.length - 1
      const shared = determinate
      if (tok === STAR) determinate = false
      const here = states[cur]!
      let next = last
        ? (finals.get(id) ?? 0)
        : !shared
          ? 0
          : tok === STAR
            ? here.star
            : (here.prefix.get(tok) ?? 0)
      const created = next === 0
      if (created) {
        next = add()
        if (last) finals.set(id, next)
        else if (shared && tok === STAR) here.star = next
        else if (shared) here.prefix.set(tok, next)
      }
      const there = states[next]!
      if (tok === STAR) {
        if (there.any.length === 0) {
          here.any.push(next)
          there.any.push(next)
        }
      } else if (last || created) {
        alphabet.add(tok)
        const link = (from: ByteState) => {
          const list = from.literal.get(tok)
          if (list) list.push(next)
          else from.literal.set(tok, [next])
        }
        link(here)
        // `*` also matches nothing, so the state before it steps straight to what follows it.
        if (i > 0 && bytes[i - 1] === STAR) link(states[prev]!)
      }
      there.patterns.add(id)
      prev = cur
      cur = next
    })
  }
  const inputs = [...alphabet, -1]
  const seen = new Set<string>()
  const pending: number[][] = [[0]]
  let worst = 0
  let steps = 0
  while (pending.length > 0 && steps++ < WILDCARD_COMPLEXITY_STEPS) {
    const active = pending.pop()!
    for (const b of inputs) {
      const next = new Set<number>()
      for (const id of active) {
        const st = states[id]!
        for (const t of st.any) next.add(t)
        for (const t of st.literal.get(b) ?? []) next.add(t)
      }
      if (next.size === 0) continue
      let weight = 0
      for (const id of next) {
        const st = states[id]!
        weight += st.patterns.size
        for (const t of st.any) if (!next.has(t)) weight += states[t]!.patterns.size
      }
      if (weight > WILDCARD_COMPLEXITY_LIMIT) return weight
      worst = Math.max(worst, weight)
      const ids = [...next].sort((x, y) => x - y)
      const key = ids.join(',')
      if (!seen.has(key)) {
        seen.add(key)
        pending.push(ids)
      }
    }
  }
  return worst
}

/** Checks each field's wildcard patterns, pooled across `$or` branches as event-ruler pools them per field. */
function checkWildcardComplexity(branches: readonly Branch[]): void {
  const byPath = new Map<string, Map<string, { id: string; bytes: number[] }>>()
  for (const branch of branches) {
    for (const field of branch.values()) {
      for (const c of field.conds) {
        const list = c.k === 'wildcard' ? [c.w] : c.k === 'notWildcard' ? c.list : []
        // A negated list is one pattern with several byte paths; each plain wildcard is its own.
        const group = c.k === 'notWildcard' ? `!${JSON.stringify(c.list)}` : ''
        for (const tokens of list) {
          const id = group || JSON.stringify(tokens)
          const patterns = byPath.get(field.path) ?? new Map<string, { id: string; bytes: number[] }>()
          byPath.set(field.path, patterns)
          patterns.set(JSON.stringify([id, tokens]), { id, bytes: wildcardBytes(tokens) })
        }
      }
    }
  }
  for (const [path, patterns] of byPath) {
    if (wildcardComplexity([...patterns.values()]) > WILDCARD_COMPLEXITY_LIMIT) {
      fail(
        path,
        'rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      )
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

const isComparableNumber = (v: unknown): v is number =>
  typeof v === 'number' && v >= -NUMBER_LIMIT && v <= NUMBER_LIMIT

function condMatches(c: Cond, v: Scalar): boolean {
  switch (c.k) {
    case 'exact':
      // A number pattern also matches numerically (event-ruler adds a numericEquals beside the literal).
      return (
        v === c.v ||
        (typeof c.v === 'number' &&
          isComparableNumber(v) &&
          isComparableNumber(c.v) &&
          quantize(v) === quantize(c.v))
      )
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
    case 'numeric': {
      if (!isComparableNumber(v)) return false
      const q = quantize(v)
      return (c.loOpen ? q > c.lo : q >= c.lo) && (c.hiOpen ? q < c.hi : q <= c.hi)
    }
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
      if (typeof v === 'number') return !isComparableNumber(v) || !c.numbers.has(quantize(v))
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
 * event-ruler reads the text as a stream, so a repeated key does not discard what came before: a
 * repeated object merges into the earlier one, a repeated `$or` applies on top of the earlier one
 * (both must hold), and a repeated field list replaces the earlier list.
 */
export function parsePattern(json: string): EventPattern {
  const parsed = new JsonReader(json).document()
  validatePattern(parsed)
  return parsed
}

const isObjectList = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.length > 0 && v.every(isPlainObject)

/** Sets a key without ever touching the prototype (a pattern may name a field `__proto__`). */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy)
  if (!isPlainObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) define(out, k, deepCopy(x))
  return out
}

function mergeKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  const before = obj[key]
  if (!Object.hasOwn(obj, key)) {
    define(obj, key, value)
  } else if (isPlainObject(before) && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) mergeKey(before, k, v)
  } else if (key === OR && isObjectList(before) && isObjectList(value)) {
    // (A or B) and (C or D), written as A-with-(C or D) or B-with-(C or D).
    define(
      obj,
      key,
      before.map((alt) => {
        const copy = deepCopy(alt) as Record<string, unknown>
        mergeKey(copy, OR, deepCopy(value))
        return copy
      }),
    )
  } else {
    define(obj, key, value)
  }
}

/** Keeps hostile input from overflowing the stack; real patterns nest a handful of levels. */
const MAX_JSON_DEPTH = 100
const JSON_SPACE = /[ \t\n\r]*/y
const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
/** Finds the string's end; JSON.parse then checks its escapes and control characters. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/y

/** A strict JSON reader (RFC 8259) whose objects fold repeated keys with `mergeKey`. */
class JsonReader {
  private at = 0
  private depth = 0

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value()
    this.space()
    if (this.at < this.text.length) this.bad('unexpected text after the JSON value')
    return value
  }

  private bad(why: string): never {
    throw new InvalidPatternError('', `not valid JSON at offset ${this.at}: ${why}`)
  }

  /** Matches a sticky regular expression at the cursor and moves past the match. */
  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.at
    const m = re.exec(this.text)
    if (m) this.at = re.lastIndex
    return m
  }

  private space(): void {
    this.match(JSON_SPACE)
  }

  private value(): unknown {
    this.space()
    const c = this.text[this.at]
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_JSON_DEPTH) this.bad(`nested deeper than ${MAX_JSON_DEPTH} levels`)
      const v = c === '{' ? this.object() : this.array()
      this.depth--
      return v
    }
    if (c === '"') return this.string()
    const m = this.match(JSON_SCALAR)
    if (!m) return this.bad('expected a value')
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0])
  }

  private object(): Record<string, unknown> {
    const obj: Record<string, unknown> = {}
    this.at++
    this.space()
    if (this.text[this.at] === '}') {
      this.at++
      return obj
    }
    for (;;) {
      this.space()
      if (this.text[this.at] !== '"') this.bad('expected a key')
      const key = this.string()
      this.space()
      if (this.text[this.at++] !== ':') this.bad('expected ":"')
      mergeKey(obj, key, this.value())
      this.space()
      const c = this.text[this.at++]
      if (c === '}') return obj
      if (c !== ',') this.bad('expected "," or "}"')
    }
  }

  private array(): unknown[] {
    const list: unknown[] = []
    this.at++
    this.space()
    if (this.text[this.at] === ']') {
      this.at++
      return list
    }
    for (;;) {
      list.push(this.value())
      this.space()
      const c = this.text[this.at++]
      if (c === ']') return list
      if (c !== ',') this.bad('expected "," or "]"')
    }
  }

  private string(): string {
    const m = this.match(JSON_STRING)
    if (!m) return this.bad('unterminated string')
    try {
      return JSON.parse(m[0]) as string
    } catch {
      return this.bad('malformed string')
    }
  }
}
