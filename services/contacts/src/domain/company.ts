/** Company rules, pure: build, merge-patch, diff. */
import type { Company, CreateCompany, UpdateCompany } from '@relay/contracts/companies'
import { COMPANY_MUTABLE_FIELDS } from '@relay/contracts/companies'
import { type FieldChange, normaliseTags, normaliseText } from './contact.js'

/** A new company (version 1); the owner defaults to the caller. */
export function buildCompany(
  input: CreateCompany,
  ctx: { id: string; ownerId: string; now: string },
): Company {
  return {
    id: ctx.id,
    name: normaliseText(input.name),
    ...(input.domain ? { domain: input.domain } : {}),
    ...(input.industry ? { industry: normaliseText(input.industry) } : {}),
    tags: normaliseTags(input.tags),
    ownerId: input.ownerId?.trim() || ctx.ownerId,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/** The company after a merge-patch (`null` clears), version bumped. */
export function applyCompanyPatch(current: Company, patch: UpdateCompany, now: string): Company {
  const domain = patch.domain === undefined ? current.domain : (patch.domain ?? undefined)
  const industry = patch.industry === undefined ? current.industry : (patch.industry ?? undefined)
  return {
    id: current.id,
    name: patch.name ? normaliseText(patch.name) : current.name,
    ...(domain ? { domain } : {}),
    ...(industry ? { industry: normaliseText(industry) } : {}),
    tags: patch.tags === undefined ? current.tags : normaliseTags(patch.tags),
    ownerId: patch.ownerId?.trim() || current.ownerId,
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: now,
  }
}

/** What changed, field by field; empty when nothing did. */
export function diffCompanies(before: Company, after: Company): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {}
  for (const f of COMPANY_MUTABLE_FIELDS) {
    const b = before[f]
    const a = after[f]
    if (JSON.stringify(b) === JSON.stringify(a)) continue
    changes[f] = { ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) }
  }
  return changes
}
