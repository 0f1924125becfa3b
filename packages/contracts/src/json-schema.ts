/** JSON Schema generation shared by the OpenAPI document and the event catalogue. */
import * as z from 'zod/mini'

type Json = Record<string, unknown>

/**
 * JSON Schema of a zod schema for embedding (no `$schema`). Requests (`input`) stay closed, as the
 * handlers reject unknown fields; responses and events (`output`) are left open, because a version
 * may gain fields and a client that validates must not break when it does.
 */
export function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json
  return io === 'output' ? openObjects(rest) : rest
}

/** Removes every `additionalProperties: false` (see {@link jsonSchema}). */
export function openObjects<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(openObjects) as T
  if (!schema || typeof schema !== 'object') return schema
  const out: Json = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'additionalProperties' && v === false) continue
    out[k] = openObjects(v)
  }
  return out as T
}
