/** Events of the pipeline service (source `crm.pipeline`), for the catalogue in `events.ts`. */
import * as z from 'zod/mini'
import { ACTIVITY_EVENT, ActivityReminderDueV1 } from './activities.js'
import { type EventContract, eventContract } from './event-contract.js'
import { LEAD_EVENT, Lead, LeadAssignedV1, LeadConvertedV1 } from './leads.js'
import { DEAL_EVENT, Deal, PIPELINE_SOURCE } from './pipeline.js'

const Change = z.object({ before: z.optional(z.unknown()), after: z.optional(z.unknown()) })
const Changed = z.object({ id: z.string(), version: z.number(), changes: z.record(z.string(), Change) })
const Removed = z.object({ id: z.string(), version: z.optional(z.number()) })

/** `Deal.StageChanged` v1 data. */
export const DealStageChangedV1 = z.object({
  id: z.string(),
  version: z.number(),
  pipelineId: z.string(),
  fromStageId: z.string(),
  toStageId: z.string(),
  changedBy: z.string(),
  /** Milliseconds the deal spent in `fromStageId`. */
  msInPreviousStage: z.number(),
})

/** `Deal.Won` / `Deal.Lost` v1 data: the deal as it is now closed, and why. */
export const DealClosedV1 = z.object({ deal: Deal, reason: z.optional(z.string()) })

const ev = <const D extends z.ZodMiniType>(detailType: string, description: string, data: D) =>
  eventContract({ source: PIPELINE_SOURCE, detailType, version: 1, description, data })

export const DealCreated = ev(DEAL_EVENT.created, 'A deal was created; data is the deal.', Deal)
export const DealUpdated = ev(DEAL_EVENT.updated, 'A deal changed; data names each changed field.', Changed)
export const DealStageChanged = ev(
  DEAL_EVENT.stageChanged,
  'A deal moved to another stage.',
  DealStageChangedV1,
)
export const DealWon = ev(DEAL_EVENT.won, 'A deal reached the won stage.', DealClosedV1)
export const DealLost = ev(DEAL_EVENT.lost, 'A deal reached the lost stage, with the reason.', DealClosedV1)
export const DealDeleted = ev(DEAL_EVENT.deleted, 'A deal was deleted.', Removed)
export const LeadCreated = ev(LEAD_EVENT.created, 'A lead was created; data is the lead.', Lead)
export const LeadUpdated = ev(LEAD_EVENT.updated, 'A lead changed; data names each changed field.', Changed)
export const LeadConverted = ev(
  LEAD_EVENT.converted,
  'A lead was converted; data carries the contact id chosen up front and the contact data to create.',
  LeadConvertedV1,
)
export const LeadAssigned = ev(
  LEAD_EVENT.assigned,
  'A new lead was given an owner by the tenant assignment rules.',
  LeadAssignedV1,
)
export const LeadDeleted = ev(LEAD_EVENT.deleted, 'A lead was deleted.', Removed)
export const ActivityReminderDue = ev(
  ACTIVITY_EVENT.reminderDue,
  "An activity's reminder time has come (published once, at most about a minute late).",
  ActivityReminderDueV1,
)

/** Every pipeline event, in catalogue shape. */
export const PIPELINE_EVENTS: readonly EventContract[] = [
  DealCreated,
  DealUpdated,
  DealStageChanged,
  DealWon,
  DealLost,
  DealDeleted,
  LeadCreated,
  LeadUpdated,
  LeadConverted,
  LeadDeleted,
  LeadAssigned,
  ActivityReminderDue,
]
