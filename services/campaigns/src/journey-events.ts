/**
 * What an event about a contact does to journeys (domain/journey.ts JOURNEY_EVENTS), shared by
 * the bus subscriber (other services' events, handlers/on-journey-event.ts) and the email
 * activity worker (campaigns' own Email.Clicked / Email.Unsubscribed, handlers/count-email-event.ts).
 */
import { combine, type Work } from '@relay/core/work'
import { contactOfEvent, type EventName, entryDecision, exitsOn, type JourneyDef } from './domain/journey.js'
import { endWork, enrolmentsOf, enrolWork, getJourney, journeysStartedBy } from './store/journeys.js'

export interface JourneyEventInput {
  name: EventName
  tenantId: string
  correlationId: string
  occurredAt: string
  data: unknown
}

/**
 * The contact enters every active journey the event starts (once per journey, unless re-entry:
 * the enrolment's condition decides), and leaves every running journey that exits on it. The
 * caller commits the Work with its dedupe record, so a redelivery does nothing; two events racing
 * for one enrolment fail one transaction, which is retried and then sees the contact enrolled.
 */
export async function journeyEventWork(e: JourneyEventInput): Promise<Work | undefined> {
  const { tenantId, correlationId, occurredAt, name } = e
  const contactId = contactOfEvent(name.detailType, e.data)
  if (!contactId) return undefined
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
    if (j && exitsOn(j, name)) works.push(endWork(tenantId, run, 'exited', `${name.detailType} arrived`))
  }
  return works.length ? combine(...works) : undefined
}
