/** JSON Schema generation shared by the OpenAPI document and the event catalogue. */
import * as z from 'zod/mini'

type Json = Record<string, unknown>

/**
 * JSON Schema of a zod schema for embedding (no `$schema`). Requests (`input`) stay closed, as the
 * handlers reject unknown fields; responses and events (`output`) are left open, because a version
 * may gain fields and a client that validates must not break when it does.
 */
export function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output', defs?: Record<string, Json>): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json
  const out = io === 'output' ? openObjects(rest) : rest
  return defs ? hoistDefs(out, defs) : out
}

// FNV-1a: a short stable name from a definition's text, without node:crypto (contracts run in Lambdas).
function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}

/**
 * Moves a schema's `$defs` (zod writes recursive schemas, such as a segment's rule tree, as
 * `#/$defs/__schema0` references) into `defs`, under names made from their content, and points its
 * references there (`#/components/schemas/<name>`): embedded in a bigger document, a `#/$defs/...`
 * reference would resolve against that document's root and find nothing.
 */
function hoistDefs(schema: Json, defs: Record<string, Json>): Json {
  const local = schema.$defs as Record<string, Json> | undefined
  if (!local) return schema
  const { $defs: _local, ...body } = schema
  const names = Object.fromEntries(
    Object.entries(local).map(([n, d]) => [n, `Def${fnv1a(JSON.stringify(d))}`]),
  )
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite)
    if (!node || typeof node !== 'object') return node
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        const target =
          k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? names[v.slice(8)] : undefined
        return [k, target ? `#/components/schemas/${target}` : rewrite(v)]
      }),
    )
  }
  for (const [n, d] of Object.entries(local)) defs[names[n] as string] = rewrite(d) as Json
  return rewrite(body) as Json
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
