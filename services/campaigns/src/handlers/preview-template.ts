import { NotFound } from '@relay/core/outcomes'
import { templateContact } from '../domain/recipient.js'
import { renderTemplate, SAMPLE_CONTACT } from '../domain/template.js'
import { http } from '../kit.js'
import * as routes from '../routes/templates.js'
import { getAudienceRecord } from '../store/audience.js'
import { requireTemplate } from '../store/templates.js'

/**
 * POST /templates/{id}/preview → the rendered subject, HTML and text for one contact of the
 * audience projection (`contactId`), or for the sample contact with `contact`'s values on top.
 * Nothing is stored (no Idempotency-Key record needed, though one is honoured).
 */
export const handler = http(routes.previewTemplate, async ({ params, body, caller }) => {
  const template = await requireTemplate(caller.tenantId, params.id)
  let contact: Record<string, unknown> = { ...SAMPLE_CONTACT, ...(body?.contact ?? {}) }
  if (body?.contactId) {
    const stored = await getAudienceRecord(caller.tenantId, body.contactId)
    if (!stored || stored.record.deleted) throw new NotFound('No contact with this id in the audience.')
    contact = { ...templateContact(stored.record), ...(body.contact ?? {}) }
  }
  const rendered = renderTemplate(template, {
    contact,
    campaign: { name: template.name },
    unsubscribeUrl: 'https://example.invalid/unsubscribe-preview',
  })
  return { status: 200, body: rendered }
})
