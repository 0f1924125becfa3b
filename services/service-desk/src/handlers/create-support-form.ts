import { randomBytes } from 'node:crypto'
import { newId, nowIso } from '@relay/core/ids'
import { buildSupportForm } from '../domain/support-form.js'
import { http } from '../kit.js'
import * as routes from '../routes/intake.js'
import { insertSupportForm } from '../store/support-forms.js'

/** POST /support-forms → 201 + Location: a public support form with a fresh key (192 random bits) for `x-form-key`. */
export const handler = http(routes.createSupportForm, async ({ caller, body }) => {
  const form = buildSupportForm(body, {
    id: newId(),
    now: nowIso(),
    publicKey: randomBytes(24).toString('base64url'),
  })
  await insertSupportForm(caller.tenantId, form)
  return { status: 201, body: form, version: form.version, location: `/support-forms/${form.id}` }
})
