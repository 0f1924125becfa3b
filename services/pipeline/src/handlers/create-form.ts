import { randomBytes } from 'node:crypto'
import { newId, nowIso } from '@relay/core/ids'
import { buildForm, formProblems } from '../domain/forms.js'
import { assertNoProblems } from '../domain/pipeline.js'
import { http } from '../kit.js'
import * as routes from '../routes/forms.js'
import { createForm } from '../store/forms.js'

/**
 * POST /forms → 201 + Location: a web-to-lead form with its field mapping, source, campaign,
 * honeypot and rate limit, and a fresh public key (192 random bits) for the `x-form-key` header.
 */
export const handler = http(routes.createForm, async ({ body, caller }) => {
  assertNoProblems(formProblems(body))
  const form = buildForm(body, {
    id: newId(),
    userId: caller.userId,
    now: nowIso(),
    publicKey: randomBytes(24).toString('base64url'),
  })
  await createForm(caller.tenantId, form)
  return { status: 201, body: form, version: form.version, location: `/forms/${form.id}` }
})
