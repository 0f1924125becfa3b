import type { SegmentRule } from '@relay/contracts/campaigns'
import { nowIso } from '@relay/core/ids'
import type { Work } from '@relay/core/work'
import {
  DEFAULT_INACTIVE_DAYS,
  entryDecision,
  isInactive,
  type JourneyDef,
  nextAction,
  planWake,
} from '../domain/journey.js'
import { matches } from '../domain/segment.js'
import { JOURNEY_QUEUE, JourneyMessage, type StepMessage } from '../journey-queue.js'
import { sendJourneyEmail } from '../journey-send.js'
import { worker } from '../kit.js'
import { audiencePage, getAudienceRecord } from '../store/audience.js'
import {
  advanceWork,
  endWork,
  enrolNow,
  getEnrolment,
  getJourney,
  holdStepWork,
  messageWork,
  waitByIndexWork,
  waitByQueueWork,
} from '../store/journeys.js'

/**
 * A new contact's audience record and its first consent usually follow its creation within
 * seconds (a signup form records both), and reach campaigns by their own events: a run this young
 * waits for them, asking for its step again (after 2 s, then a quarter of the run's age, 30 s at
 * most: ~14 tries in the 2 minutes) before it skips a send or exits.
 */
const NEW_CONTACT_GRACE_MS = 120_000
const holdSeconds = (ageMs: number) => Math.min(30, Math.max(2, Math.ceil(ageMs / 4000)))

/** Audience records one re-engagement page reads. */
const SCAN_PAGE = 500

/**
 * One step of one contact's journey run (queue `journey-steps`): conditions on the spot, a send
 * through the sender's parts, a wait as a delayed message or a due-time item, the end. The run's
 * record moves on a condition of the run and step this message names, in the transaction that
 * asks for the next message: a message for a run that moved on (or ended, or was exited) commits
 * nothing. A step whose email went out but whose commit failed finds its send record on the next
 * delivery and does not send again.
 */
async function runStep(m: StepMessage): Promise<Work | undefined> {
  const run = await getEnrolment(m.tenantId, m.contactId, m.journeyId)
  if (run?.status !== 'active' || run.run !== m.run || run.step !== m.step) return undefined
  const journey = (await getJourney(m.tenantId, m.journeyId)) as (JourneyDef & { name: string }) | undefined
  if (!journey) return endWork(m.tenantId, m, 'exited', 'journey deleted')
  const stored = await getAudienceRecord(m.tenantId, m.contactId)
  const age = Date.now() - Date.parse(run.enrolledAt)
  const young = age < NEW_CONTACT_GRACE_MS
  if (!stored)
    return young ? holdStepWork(m, holdSeconds(age)) : endWork(m.tenantId, m, 'exited', 'contact unknown')
  if (stored.record.deleted) return endWork(m.tenantId, m, 'exited', 'contact deleted')
  const now = nowIso()
  const nowMs = Date.parse(now)
  const action = nextAction(
    journey,
    m.step,
    (rule) => matches(rule as SegmentRule, stored.record, nowMs),
    now,
  )
  switch (action.kind) {
    case 'complete':
      return endWork(m.tenantId, m, 'completed')
    case 'exit':
      return endWork(m.tenantId, m, 'exited', action.reason)
    case 'wait': {
      const wake = planWake(now, action.until)
      return wake.via === 'queue'
        ? waitByQueueWork(m, action.next, wake.delaySeconds)
        : waitByIndexWork(m, action.next, wake.dueAt)
    }
    case 'send': {
      // Projected in part (its consent before its creation, or the other way round): wait for the rest.
      const rec = stored.record
      if (young && (rec.consent.email === undefined || !rec.email)) return holdStepWork(m, holdSeconds(age))
      const result = await sendJourneyEmail(
        m.tenantId,
        journey,
        stored.record,
        { run: m.run, step: action.step, templateId: action.templateId },
        m.correlationId,
      )
      if (result.kind === 'retry') throw new Error(`Journey send held: ${result.reason}`)
      return advanceWork(m, action.next, result.kind === 'sent' ? action.templateId : undefined)
    }
  }
}

/**
 * One page of the tenant's audience for a re-engagement journey: each contact inactive for the
 * journey's days enters it (once; with re-entry, again only after another full inactive period),
 * each in its own transaction, then the next page is asked for.
 */
async function scanInactive(
  m: Extract<JourneyMessage, { kind: 'inactive-scan' }>,
): Promise<Work | undefined> {
  const journey = (await getJourney(m.tenantId, m.journeyId)) as JourneyDef | undefined
  if (journey?.status !== 'active') return undefined
  const days = journey.trigger.inactiveDays ?? DEFAULT_INACTIVE_DAYS
  const page = await audiencePage(m.tenantId, { cursor: m.cursor, limit: SCAN_PAGE })
  const nowMs = Date.now()
  for (const rec of page.records) {
    if (rec.deleted || !isInactive(rec.engagement, nowMs, days)) continue
    const existing = await getEnrolment(m.tenantId, rec.contactId, journey.id)
    if (existing && nowMs - Date.parse(existing.enrolledAt) < days * 86_400_000) continue
    const decision = entryDecision(journey, existing)
    if (decision.enrol) await enrolNow(m.tenantId, journey.id, rec.contactId, decision, m.correlationId)
  }
  return page.nextCursor ? messageWork({ ...m, cursor: page.nextCursor }) : undefined
}

export const handler = worker(
  JOURNEY_QUEUE,
  JourneyMessage,
  async (message) => (message.kind === 'step' ? runStep(message) : scanInactive(message)),
  { onConditionFailed: 'ignore' },
)
