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

function join(path: readonly (string | number)[]): string {
  return path.length ? path.join('.') : 'body'
}

/**
 * The problems of a parsed JSON value: strings (keys and values) that are not well-formed
 * Unicode, and prototype keys. Walks without recursion, so no nesting depth can overflow the stack.
 */
export function jsonProblems(value: unknown, prefix: readonly (string | number)[] = []): FieldError[] {
  const errors: FieldError[] = []
  const stack: { value: unknown; path: readonly (string | number)[] }[] = [{ value, path: prefix }]
  while (stack.length && errors.length < MAX_REPORTED) {
    const { value: v, path } = stack.pop() as { value: unknown; path: readonly (string | number)[] }
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v))
        errors.push({
          field: join(path),
          code: 'invalid_unicode',
          message: 'Contains a lone surrogate (not valid Unicode)',
        })
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] })
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const at = [...path, key]
        if (hasLoneSurrogate(key)) {
          errors.push({
            field: join([...path, key.replace(LONE_SURROGATES, '\uFFFD')]),
            code: 'invalid_unicode',
            message: 'The field name is not valid Unicode',
          })
          continue
        }
        if (PROTOTYPE_KEYS.has(key)) {
          errors.push({
            field: join(at),
            code: 'forbidden_key',
            message: `The field name '${key}' is not allowed`,
          })
          continue
        }
        stack.push({ value: (v as Record<string, unknown>)[key], path: at })
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
