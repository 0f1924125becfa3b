import type { Deal } from '@relay/contracts/pipeline'
import { newId, nowIso } from '@relay/core/ids'
import { Invalid, NotFound, writeOrExplain } from '@relay/core/outcomes'
import { buildDeal, dealCreated } from '../domain/deal.js'
import { conversionEvents, convertLead, dealNameFor } from '../domain/lead.js'
import { http } from '../kit.js'
import * as routes from '../routes/leads.js'
import { getLead, writeConversion } from '../store/leads.js'
import { resolvePipeline } from '../store/pipelines.js'

/**
 * POST /leads/{id}/convert `{ deal? }` → 200 `{ leadId, contactId, dealId? }`. The contact id is
 * chosen here (a ULID) and `Lead.Converted` carries the contact data, so the contacts service can
 * create that contact from the event. Converting again answers the same ids and writes nothing.
 */
export const handler = http(routes.convertLead, async ({ params, body, caller, correlationId }) => {
  const lead = await getLead(caller.tenantId, params.id)
  if (!lead) throw new NotFound('No lead with this id.')
  if (lead.conversion) {
    const { contactId, dealId } = lead.conversion
    return { status: 200, body: { leadId: lead.id, contactId, ...(dealId ? { dealId } : {}) } }
  }
  const now = nowIso()
  const contactId = newId()
  let deal: Deal | undefined
  if (body.deal) {
    const pipeline = await resolvePipeline(caller.tenantId, body.deal.pipelineId)
    if (!pipeline)
      throw new Invalid([
        { field: 'deal.pipelineId', code: 'unknown_pipeline', message: 'No pipeline with this id' },
      ])
    const built = buildDeal(
      {
        name: body.deal.name ?? dealNameFor(lead),
        ...(body.deal.amount ? { amount: body.deal.amount } : {}),
        ...(body.deal.closeDate ? { closeDate: body.deal.closeDate } : {}),
        contactId,
        ownerId: lead.ownerId,
      },
      {
        id: newId(),
        pipeline,
        products: new Map(),
        userId: caller.userId,
        now,
        leadId: lead.id,
      },
    )
    if ('problems' in built) throw new Invalid(built.problems)
    deal = built.deal
  }
  const converted = convertLead(lead, { contactId, dealId: deal?.id, userId: caller.userId, now })
  const specs = conversionEvents(converted.event, deal && dealCreated(deal))
  try {
    await writeOrExplain(
      () => writeConversion(caller.tenantId, converted.lead, lead.version, deal, specs, correlationId),
      async () => Boolean(await getLead(caller.tenantId, lead.id)),
    )
  } catch (err) {
    // A simultaneous conversion won the race: answer its ids, as a repeated call would.
    const now = await getLead(caller.tenantId, lead.id)
    if (!now?.conversion) throw err
    const { contactId: c, dealId: d } = now.conversion
    return { status: 200, body: { leadId: lead.id, contactId: c, ...(d ? { dealId: d } : {}) } }
  }
  return { status: 200, body: { leadId: lead.id, contactId, ...(deal ? { dealId: deal.id } : {}) } }
})
