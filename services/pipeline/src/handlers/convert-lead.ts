import { ConvertLead, LEAD_EVENT } from '@relay/contracts/leads'
import { DEAL_EVENT, type Deal, IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { buildDeal } from '../domain/deal.js'
import type { EventSpec } from '../domain/events.js'
import { convertLead, dealNameFor } from '../domain/lead.js'
import { http } from '../http.js'
import { getLead, writeConversion } from '../store/leads.js'
import { resolvePipeline } from '../store/pipelines.js'
import { assertNoProblems, writeOrExplain } from '../support.js'

/**
 * POST /leads/{id}/convert `{ deal? }` → 200 `{ leadId, contactId, dealId? }`. The contact id is
 * chosen here (a ULID) and `Lead.Converted` carries the contact data, so the contacts service can
 * create that contact from the event. Converting again answers the same ids and writes nothing.
 */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  body: ConvertLead,
  async handle({ params, body, caller, correlationId }) {
    const lead = await getLead(caller.tenantId, params.id)
    if (!lead) throw notFound('No lead with this id.')
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
        assertNoProblems([
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
          pipeline: pipeline!,
          products: new Map(),
          userId: caller.userId,
          now,
          leadId: lead.id,
        },
      )
      if ('problems' in built) return assertNoProblems(built.problems) as never
      deal = built.deal
    }
    const converted = convertLead(lead, { contactId, dealId: deal?.id, userId: caller.userId, now })
    const specs: EventSpec[] = [{ detailType: LEAD_EVENT.converted, data: converted.event }]
    if (deal) specs.push({ detailType: DEAL_EVENT.created, data: deal })
    try {
      await writeOrExplain(
        async () => Boolean(await getLead(caller.tenantId, lead.id)),
        undefined,
        () => writeConversion(caller.tenantId, converted.lead, lead.version, deal, specs, correlationId),
      )
    } catch (err) {
      // A simultaneous conversion won the race: answer its ids, as a repeated call would.
      const now = await getLead(caller.tenantId, lead.id)
      if (!now?.conversion) throw err
      const { contactId: c, dealId: d } = now.conversion
      return { status: 200, body: { leadId: lead.id, contactId: c, ...(d ? { dealId: d } : {}) } }
    }
    return { status: 200, body: { leadId: lead.id, contactId, ...(deal ? { dealId: deal.id } : {}) } }
  },
})
