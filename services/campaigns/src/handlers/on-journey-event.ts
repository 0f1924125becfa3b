import { combine, type Work } from '@relay/core/work'
import { contactOfEvent, entryDecision, exitsOn, type JourneyDef } from '../domain/journey.js'
import { subscriber } from '../kit.js'
import { endWork, enrolmentsOf, enrolWork, getJourney, journeysStartedBy } from '../store/journeys.js'
import { journeyEvents } from '../subscriptions.js'

/**
 * An event about a contact (domain/journey.ts JOURNEY_EVENTS): the contact enters every active
 * journey it starts (once per journey, unless re-entry: the enrolment's condition decides), and
 * leaves every running journey that exits on it. All of it commits with the event's dedupe record,
 * so a redelivery does nothing; two events racing for one enrolment fail one transaction, which
 * the bus retries and which then sees the contact enrolled.
 */
export const handler = subscriber(journeyEvents, async (event) => {
  const { tenantId, correlationId, occurredAt } = event.detail
  const contactId = contactOfEvent(event.detailType, event.detail.data)
  if (!contactId) return undefined
  const name = { source: event.source, detailType: event.detailType }
  const journeys = new Map<string, JourneyDef>()
  const journey = async (id: string) => {
    if (!journeys.has(id)) {
      const j = (await getJourney(tenantId, id)) as JourneyDef | undefined
      if (j) journeys.set(id, j)
    }
    return journeys.get(id)
  }
  const runs = await enrolmentsOf(tenantId, contactId)
  const works: Work[] = []
  const starting = new Set(await journeysStartedBy(tenantId, name))
  for (const id of starting) {
    const j = await journey(id)
    if (!j) continue
    const decision = entryDecision(
      j,
      runs.find((r) => r.journeyId === id),
    )
    if (decision.enrol) works.push(enrolWork(tenantId, id, contactId, decision, correlationId, occurredAt))
  }
  for (const run of runs) {
    if (run.status !== 'active' || starting.has(run.journeyId)) continue
    const j = await journey(run.journeyId)
    if (j && exitsOn(j, name)) works.push(endWork(tenantId, run, 'exited', `${event.detailType} arrived`))
  }
  return works.length ? combine(...works) : undefined
})
