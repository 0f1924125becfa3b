/** Custom field values checked against a tenant's definitions, pure. */
import type { ContactFieldDef } from '@relay/contracts/contacts'
import type { ContactProblem } from './problems.js'

export type CustomValue = string | number | boolean | string[]

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

function valueProblem(def: ContactFieldDef, value: CustomValue): string | undefined {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' ? undefined : 'Must be text'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'Must be a number'
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'Must be true or false'
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'Must be a date such as 2025-01-31'
    case 'select':
      return typeof value === 'string' && (def.options ?? []).includes(value)
        ? undefined
        : `Must be one of: ${(def.options ?? []).join(', ')}`
    case 'multiselect':
      return Array.isArray(value) && value.every((v) => (def.options ?? []).includes(v))
        ? undefined
        : `Must be a list of: ${(def.options ?? []).join(', ')}`
  }
}

/**
 * Problems of a contact's custom fields (field `customFields.<key>`): unknown keys, values of the
 * wrong type or outside the options, and, when `checkRequired`, required fields missing.
 *
 * @example
 * customFieldProblems([{ key: 'vat', label: 'VAT', type: 'text', required: true }], {}, true)
 * // [{ field: 'customFields.vat', code: 'required', ... }]
 */
export function customFieldProblems(
  defs: readonly ContactFieldDef[],
  values: Readonly<Record<string, CustomValue>>,
  checkRequired: boolean,
): ContactProblem[] {
  const byKey = new Map(defs.map((d) => [d.key, d]))
  const problems: ContactProblem[] = []
  for (const [key, value] of Object.entries(values)) {
    const def = byKey.get(key)
    const field = `customFields.${key}`
    if (!def) {
      problems.push({ field, code: 'unknown_field', message: 'No custom field with this key is defined' })
      continue
    }
    const message = valueProblem(def, value)
    if (message) problems.push({ field, code: 'invalid_value', message })
  }
  if (checkRequired) {
    for (const def of defs) {
      const v = values[def.key]
      if (def.required && (v === undefined || v === '' || (Array.isArray(v) && v.length === 0))) {
        problems.push({
          field: `customFields.${def.key}`,
          code: 'required',
          message: `${def.label} is required`,
        })
      }
    }
  }
  return problems
}

/** Merge-patch of custom fields: `null` removes a key, other values replace. */
export function patchCustomFields(
  current: Readonly<Record<string, CustomValue>>,
  patch: Readonly<Record<string, CustomValue | null>>,
): Record<string, CustomValue> {
  const out: Record<string, CustomValue> = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = v
  }
  return out
}
