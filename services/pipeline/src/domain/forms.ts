/** Web-to-lead forms, pure: building a form, turning a submission into a lead input. */
import {
  type CreateForm,
  CreateLead,
  FORM_LIMITS,
  type Form,
  type FormSubmission,
} from '@relay/contracts/leads'
import type { Problem } from './pipeline.js'

/** A new form (version 1) with the public key the web page sends as `x-form-key`. */
export function buildForm(
  input: CreateForm,
  ctx: { id: string; userId: string; now: string; publicKey: string },
): Form {
  return {
    id: ctx.id,
    name: input.name,
    fields: input.fields,
    source: input.source ?? 'web',
    ...(input.campaign ? { campaign: input.campaign } : {}),
    ...(input.honeypotField ? { honeypotField: input.honeypotField } : {}),
    ownerId: input.ownerId ?? ctx.userId,
    rateLimitPerMinute: input.rateLimitPerMinute ?? FORM_LIMITS.defaultRateLimitPerMinute,
    publicKey: ctx.publicKey,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/** Problems of a form definition: each posted name and each lead field once, the honeypot apart. */
export function formProblems(input: CreateForm): Problem[] {
  const problems: Problem[] = []
  const names = new Set<string>()
  const targets = new Set<string>()
  input.fields.forEach((f, i) => {
    if (names.has(f.name))
      problems.push({
        field: `fields.${i}.name`,
        code: 'duplicate',
        message: `Field ${f.name} is listed twice`,
      })
    if (targets.has(f.maps))
      problems.push({ field: `fields.${i}.maps`, code: 'duplicate', message: `${f.maps} is filled twice` })
    names.add(f.name)
    targets.add(f.maps)
  })
  if (input.honeypotField && names.has(input.honeypotField))
    problems.push({
      field: 'honeypotField',
      code: 'honeypot_mapped',
      message: 'The honeypot field must not be a mapped field',
    })
  return problems
}

/** What a submission amounts to. */
export type SubmissionOutcome =
  | { kind: 'honeypot' }
  | { kind: 'invalid'; problems: Problem[] }
  | { kind: 'lead'; input: CreateLead }

const filled = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '')

/**
 * Maps a posted submission onto lead fields with the form's source and campaign, then validates it
 * with the same contract as POST /leads. Problems name the form's own field names. Unmapped posted
 * fields are ignored (web pages post submit buttons and the like).
 */
export function mapSubmission(form: Form, submission: FormSubmission): SubmissionOutcome {
  if (form.honeypotField && filled(submission[form.honeypotField])) return { kind: 'honeypot' }
  const problems: Problem[] = []
  const raw: Record<string, unknown> = {
    source: form.source,
    ...(form.campaign ? { campaign: form.campaign } : {}),
  }
  const byTarget = new Map<string, string>()
  for (const f of form.fields) {
    const value = submission[f.name]
    byTarget.set(f.maps, f.name)
    if (!filled(value)) {
      if (f.required) problems.push({ field: f.name, code: 'required', message: 'This field is required' })
      continue
    }
    // A web form posts text: employees may come as "250".
    raw[f.maps] = f.maps === 'employees' && typeof value === 'string' ? Number(value.trim()) : value
    if (f.maps === 'country' && typeof value === 'string') raw[f.maps] = value.trim().toUpperCase()
  }
  if (problems.length) return { kind: 'invalid', problems }
  const parsed = CreateLead.safeParse(raw)
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: parsed.error.issues.map((issue) => {
        const target = String(issue.path[0] ?? '')
        return {
          field: byTarget.get(target) ?? (target || 'body'),
          code: issue.code,
          message:
            target === 'lastName' && !byTarget.has(target)
              ? 'Give a name, an email or a company'
              : issue.message,
        }
      }),
    }
  }
  return { kind: 'lead', input: parsed.data }
}
