/** Activities API (tasks, calls, meetings, emails linked to a lead, contact or deal), version 1. */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import { OwnerId, StageId } from './pipeline.js'

/** `detail-type`s of activity events (source `crm.pipeline`). */
export const ACTIVITY_EVENT = { reminderDue: 'Activity.ReminderDue' } as const

export const ACTIVITY_TYPES = ['task', 'call', 'meeting', 'email'] as const
export const RELATED_TYPES = ['lead', 'contact', 'deal'] as const

const RelatedTo = z.strictObject({ type: z.enum(RELATED_TYPES), id: Id })

export const CreateActivity = z
  .strictObject({
    type: z.enum(ACTIVITY_TYPES),
    subject: nameText(200),
    notes: z.optional(z.string().check(z.maxLength(5000))),
    relatedTo: RelatedTo,
    ownerId: z.optional(OwnerId),
    dueAt: z.optional(z.iso.datetime()),
    /** When to remind the owner (`Activity.ReminderDue`); at most a minute late. */
    reminderAt: z.optional(z.iso.datetime()),
  })
  .check(
    z.refine((v) => !v?.reminderAt || !v.dueAt || v.reminderAt <= v.dueAt, {
      message: 'The reminder comes before the due time',
      path: ['reminderAt'],
    }),
  )
export type CreateActivity = z.infer<typeof CreateActivity>

export const UpdateActivity = z
  .strictObject({
    subject: z.optional(nameText(200)),
    notes: z.optional(z.nullable(z.string().check(z.maxLength(5000)))),
    ownerId: z.optional(OwnerId),
    dueAt: z.optional(z.nullable(z.iso.datetime())),
    reminderAt: z.optional(z.nullable(z.iso.datetime())),
    done: z.optional(z.boolean()),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateActivity = z.infer<typeof UpdateActivity>

export const Activity = z.object({
  id: z.string(),
  type: z.enum(ACTIVITY_TYPES),
  subject: z.string(),
  notes: z.optional(z.string()),
  relatedTo: z.object({ type: z.enum(RELATED_TYPES), id: z.string() }),
  ownerId: z.string(),
  dueAt: z.optional(Timestamp),
  reminderAt: z.optional(Timestamp),
  reminderSentAt: z.optional(Timestamp),
  status: z.enum(['open', 'done']),
  completedAt: z.optional(Timestamp),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Activity = z.infer<typeof Activity>
export const ActivityPage = page(Activity)

/**
 * GET /activities: `view=today|overdue|open` lists the owner's (default: the caller's) open
 * activities by due time (today = the UTC day); or `relatedType` + `relatedId` lists a record's.
 */
export const ListActivitiesQuery = z.extend(PaginationQuery, {
  view: z.optional(z.enum(['today', 'overdue', 'open'])),
  owner: z.optional(OwnerId),
  relatedType: z.optional(z.enum(RELATED_TYPES)),
  relatedId: z.optional(Id),
})
export type ListActivitiesQuery = z.infer<typeof ListActivitiesQuery>

/** `Activity.ReminderDue` v1 data. */
export const ActivityReminderDueV1 = z.object({
  id: z.string(),
  type: z.enum(ACTIVITY_TYPES),
  subject: z.string(),
  ownerId: z.string(),
  relatedTo: z.object({ type: z.string(), id: z.string() }),
  dueAt: z.optional(z.string()),
  reminderAt: z.string(),
})

// ------------------------------------------------------------------------------------------------
// Automation rules: when a deal enters a stage, a follow-up activity N days later for its owner

export const AutomationRule = z.strictObject({
  /** Only deals of this pipeline; absent → any pipeline with a stage of this id. */
  pipelineId: z.optional(Id),
  /** The stage whose entry triggers the rule. */
  stageId: StageId,
  /** The follow-up created for the deal's owner, due `dueInDays` days after the stage change. */
  activity: z.strictObject({
    type: z.optional(z.enum(ACTIVITY_TYPES)),
    subject: nameText(200),
    dueInDays: z.int().check(z.minimum(0), z.maximum(365)),
    /** Minutes before the due time the owner is reminded (by event and email); absent → no reminder. */
    remindMinutesBefore: z.optional(z.int().check(z.minimum(0), z.maximum(10_080))),
  }),
})
export type AutomationRule = z.infer<typeof AutomationRule>

export const AutomationsInput = z.strictObject({ rules: z.array(AutomationRule).check(z.maxLength(50)) })
export type AutomationsInput = z.infer<typeof AutomationsInput>

export const Automations = z.object({
  rules: z.array(AutomationRule),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type Automations = z.infer<typeof Automations>

// ------------------------------------------------------------------------------------------------
// User directory: where reminder emails go (tokens carry no email claim)

export const DirectoryUser = z.strictObject({
  userId: OwnerId,
  email: EmailAddress,
  name: z.optional(nameText(100)),
})
export type DirectoryUser = z.infer<typeof DirectoryUser>

export const UserDirectoryInput = z.strictObject({ users: z.array(DirectoryUser).check(z.maxLength(500)) })
export type UserDirectoryInput = z.infer<typeof UserDirectoryInput>

export const UserDirectory = z.object({
  users: z.array(DirectoryUser),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type UserDirectory = z.infer<typeof UserDirectory>
