/**
 * Reads a JSON body strictly: a JSON media type (else 415), well-formed UTF-8 and Unicode (no lone
 * surrogate, escaped or not), and no key that could reach an object's prototype. Each refusal
 * names its field, so a client learns what to fix; nothing here can answer 5xx.
 */
import type { FieldError } from '../errors.js'
import { Invalid, UnsupportedMediaType } from '../outcomes.js'
import { type HttpMiddleware, state } from './types.js'

/** `application/json`, `application/<x>+json`, with parameters; a charset, if given, must be UTF-8. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i

/** Keys that would reach or replace an object's prototype once copied into one. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** At most this many problems are reported for one body: enough to fix it, bounded for a hostile one. */
const MAX_REPORTED = 20

/** True when `contentType` is absent or a JSON media type in UTF-8. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true
  const [type, ...params] = contentType.split(';')
  if (!JSON_MEDIA_TYPE.test(type?.trim() ?? '')) return false
  for (const param of params) {
    const [name, value] = param.split('=').map((p) => p.trim().toLowerCase())
    if (name === 'charset' && value?.replace(/"/g, '') !== 'utf-8' && value?.replace(/"/g, '') !== 'utf8')
      return false
  }
  return true
}

// In a `u` regex a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Surrogate}/u
const LONE_SURROGATES = /\p{Surrogate}/gu

/** True when `text` holds a lone surrogate (not valid Unicode, cannot be stored as UTF-8). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text)
}

/** Where a value sits: its key and its parent's place, so a path is built only for a problem. */
interface Place {
  key: string | number
  parent: Place | undefined
}

function join(prefix: readonly (string | number)[], place: Place | undefined, last?: string): string {
  const keys: (string | number)[] = last === undefined ? [] : [last]
  for (let p = place; p; p = p.parent) keys.push(p.key)
  const path = [...prefix, ...keys.reverse()]
  return path.length ? path.join('.') : 'body'
}

/**
 * The problems of a parsed JSON value: strings (keys and values) that are not well-formed
 * Unicode, and prototype keys. Walks without recursion, so no nesting depth can overflow the stack,
 * and keeps a parent link per value instead of a copied path, so the walk stays linear in the
 * body's size however deep it nests (a copied path made a 60 KB body 30 000 levels deep cost 15 s).
 */
export function jsonProblems(value: unknown, prefix: readonly (string | number)[] = []): FieldError[] {
  const errors: FieldError[] = []
  const stack: { value: unknown; place: Place | undefined }[] = [{ value, place: undefined }]
  while (stack.length && errors.length < MAX_REPORTED) {
    const { value: v, place } = stack.pop() as { value: unknown; place: Place | undefined }
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v))
        errors.push({
          field: join(prefix, place),
          code: 'invalid_unicode',
          message: 'Contains a lone surrogate (not valid Unicode)',
        })
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], place: { key: i, parent: place } })
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        if (hasLoneSurrogate(key)) {
          errors.push({
            field: join(prefix, place, key.replace(LONE_SURROGATES, '\uFFFD')),
            code: 'invalid_unicode',
            message: 'The field name is not valid Unicode',
          })
          continue
        }
        if (PROTOTYPE_KEYS.has(key)) {
          errors.push({
            field: join(prefix, place, key),
            code: 'forbidden_key',
            message: `The field name '${key}' is not allowed`,
          })
          continue
        }
        stack.push({ value: (v as Record<string, unknown>)[key], place: { key, parent: place } })
      }
    }
  }
  return errors
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses the body of a route that reads JSON into `internal.json`; an empty body stays undefined
 * (the body schema decides whether it is required).
 */
export function parseJsonBody(): HttpMiddleware {
  return {
    before: (request) => {
      const internal = state(request)
      const raw = internal.rawBody
      if (raw === undefined || raw.trim() === '') return
      if (!isJsonContentType(internal.headers['content-type'])) throw new UnsupportedMediaType()
      if (internal.bodyBytes) {
        try {
          utf8.decode(internal.bodyBytes)
        } catch {
          throw new Invalid([{ field: 'body', code: 'invalid_utf8', message: 'The body is not valid UTF-8' }])
        }
      }
      let json: unknown
      try {
        json = JSON.parse(raw)
      } catch {
        throw new Invalid([{ field: 'body', code: 'invalid_json', message: 'The body is not valid JSON' }])
      }
      const errors = jsonProblems(json)
      if (errors.length) throw new Invalid(errors)
      internal.json = json
    },
  }
}
