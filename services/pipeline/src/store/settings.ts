/**
 * A tenant's settings documents (table `main`), each one item with a version.
 *
 * | item     | pk             | sk |
 * | settings | T#t#SETTINGS   | CURRENCIES · LEAD_SCORING · LEAD_ASSIGNMENT · AUTOMATIONS · USERS |
 *
 * Access patterns:
 *  1. A settings document                 GetItem (consistent: its version feeds If-Match)
 *  2. Replace a settings document         PutItem, attribute_not_exists(pk) (first save) or version = the version read
 * Before its first save each document has a default at version 0 (below).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Automations, UserDirectory } from '@relay/contracts/activities'
import type { LeadAssignment, LeadScoring } from '@relay/contracts/leads'
import type { CurrencySettings } from '@relay/contracts/pipeline'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { atVersion, getItem, table } from './table.js'

type Key = { pk: string; sk: string }

/** Pattern 1 for any versioned document item (settings here, quotas too). */
export const getDoc = <T>(key: Key) => getItem<T>(key)

/** Pattern 2 for any versioned document item. */
export async function putDoc(key: Key, doc: { version: number }, expectedVersion: number): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...key, kind: key.sk.toLowerCase(), ...doc },
      ...atVersion(expectedVersion),
    }),
  )
}

type SettingName = 'CURRENCIES' | 'LEAD_SCORING' | 'LEAD_ASSIGNMENT' | 'AUTOMATIONS' | 'USERS'
const settingKey = (tenantId: string, name: SettingName): Key => ({
  pk: tenantKey(tenantId, 'SETTINGS'),
  sk: name,
})

/** Stored documents only (undefined before the first save). */
export const getCurrencySettings = (t: string) => getDoc<CurrencySettings>(settingKey(t, 'CURRENCIES'))
export const getLeadScoring = (t: string) => getDoc<LeadScoring>(settingKey(t, 'LEAD_SCORING'))
export const getLeadAssignment = (t: string) => getDoc<LeadAssignment>(settingKey(t, 'LEAD_ASSIGNMENT'))
export const getAutomations = (t: string) => getDoc<Automations>(settingKey(t, 'AUTOMATIONS'))
export const getUserDirectory = (t: string) => getDoc<UserDirectory>(settingKey(t, 'USERS'))

export const putCurrencySettings = (t: string, doc: CurrencySettings, expected: number) =>
  putDoc(settingKey(t, 'CURRENCIES'), doc, expected)
export const putLeadScoring = (t: string, doc: LeadScoring, expected: number) =>
  putDoc(settingKey(t, 'LEAD_SCORING'), doc, expected)
export const putLeadAssignment = (t: string, doc: LeadAssignment, expected: number) =>
  putDoc(settingKey(t, 'LEAD_ASSIGNMENT'), doc, expected)
export const putAutomations = (t: string, doc: Automations, expected: number) =>
  putDoc(settingKey(t, 'AUTOMATIONS'), doc, expected)
export const putUserDirectory = (t: string, doc: UserDirectory, expected: number) =>
  putDoc(settingKey(t, 'USERS'), doc, expected)

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
