/** What several handlers share: conditional writes explained, and the tenant's settings with defaults. */
import type { Automations, UserDirectory } from '@relay/contracts/activities'
import type { LeadAssignment, LeadScoring } from '@relay/contracts/leads'
import type { CurrencySettings, Pipeline } from '@relay/contracts/pipeline'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { badRequest, conflict, notFound, preconditionFailed } from '@relay/core/errors'
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, type Problem } from './domain/pipeline.js'
import {
  getAutomations,
  getCurrencySettings,
  getLeadAssignment,
  getLeadScoring,
  getPipeline,
  getUserDirectory,
} from './store.js'

/** Throws a 400 naming each problem, if any. */
export function assertNoProblems(problems: readonly Problem[]): void {
  if (problems.length) throw badRequest([...problems])
}

/**
 * Runs a conditional write of something read at some version. When the condition fails (someone
 * changed or deleted it between our read and our write): 404 if it is gone now, else 412 when the
 * client sent If-Match, else 409.
 */
export async function writeOrExplain(
  stillExists: () => Promise<boolean>,
  ifMatch: number | undefined,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write()
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await stillExists())) throw notFound()
    throw ifMatch !== undefined
      ? preconditionFailed()
      : conflict('It was changed by someone else meanwhile; read it again and retry.')
  }
}

/** 412 when If-Match names another version than the current one. */
export function checkIfMatch(ifMatch: number | undefined, version: number): void {
  if (ifMatch !== undefined && ifMatch !== version) throw preconditionFailed()
}

/** A pipeline of the tenant; the built-in default one until the tenant stores its own under its id. */
export async function resolvePipeline(
  tenantId: string,
  id: string | undefined,
): Promise<Pipeline | undefined> {
  const pipelineId = id ?? DEFAULT_PIPELINE_ID
  const stored = await getPipeline(tenantId, pipelineId)
  if (stored) return stored
  return pipelineId === DEFAULT_PIPELINE_ID ? DEFAULT_PIPELINE : undefined
}

/** Currency settings; before any are saved the base currency is USD with no rates (version 0). */
export async function currencySettings(tenantId: string): Promise<CurrencySettings> {
  return (await getCurrencySettings(tenantId)) ?? { baseCurrency: 'USD', rates: [], version: 0 }
}

/** Lead scoring rules; none before any are saved (version 0). */
export async function leadScoring(tenantId: string): Promise<LeadScoring> {
  return (await getLeadScoring(tenantId)) ?? { rules: [], version: 0 }
}

/** Lead assignment settings; no teams and no rules before any are saved (version 0). */
export async function leadAssignment(tenantId: string): Promise<LeadAssignment> {
  return (await getLeadAssignment(tenantId)) ?? { teams: [], rules: [], version: 0 }
}

/** Automation rules; none before any are saved (version 0). */
export async function automations(tenantId: string): Promise<Automations> {
  return (await getAutomations(tenantId)) ?? { rules: [], version: 0 }
}

/** The user directory (reminder email addresses); empty before it is saved (version 0). */
export async function userDirectory(tenantId: string): Promise<UserDirectory> {
  return (await getUserDirectory(tenantId)) ?? { users: [], version: 0 }
}
