import type { CreateTemplate, Template, UpdateTemplate } from '@relay/contracts/campaigns'
import type { Page } from '@relay/contracts/common'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { NotFound } from '@relay/core/outcomes'
import { atVersion, deleteIfMatch, getItem, type PageQuery, page, table } from './table.js'

const templateKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'TEMPLATE', id),
  sk: 'TEMPLATE',
})

/** Access pattern 1. */
export const getTemplate = (tenantId: string, id: string) => getItem<Template>(templateKey(tenantId, id))

/** Access pattern 1, for code that needs it: NotFound otherwise. */
export async function requireTemplate(tenantId: string, id: string): Promise<Template> {
  const t = await getTemplate(tenantId, id)
  if (!t) throw new NotFound('No template with this id.')
  return t
}

/** Access pattern 2. */
export function listTemplates(tenantId: string, q: PageQuery): Promise<Page<Template>> {
  return page<Template>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'TEMPLATES') },
      ScanIndexForward: false,
    },
    q,
  )
}

async function put(tenantId: string, template: Template, expectedVersion: number): Promise<void> {
  const Item = {
    ...templateKey(tenantId, template.id),
    gsi1pk: tenantKey(tenantId, 'TEMPLATES'),
    gsi1sk: tenantKey(tenantId, 'TEMPLATE', template.id),
    kind: 'template',
    ...template,
  }
  // A transaction, so the idempotency claim of the POST commits with it (core adds the claim's item).
  await transactWithEvents(
    table(),
    [{ Put: { TableName: table(), Item, ...atVersion(expectedVersion) } }],
    [],
  )
}

/** Access pattern 3: a new template (its parts already checked by the domain). */
export async function insertTemplate(tenantId: string, input: CreateTemplate): Promise<Template> {
  const now = nowIso()
  const template: Template = {
    id: newId(),
    name: input.name,
    subject: input.subject,
    html: input.html,
    ...(input.text !== undefined ? { text: input.text } : {}),
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  await put(tenantId, template, 0)
  return template
}

/**
 * Access pattern 3: some parts changed (`text: null` drops the text part) at `expectedVersion`
 * (StaleVersion otherwise); `check` sees the template as it would be saved and throws to refuse it.
 */
export async function updateTemplate(
  tenantId: string,
  id: string,
  changes: UpdateTemplate,
  expectedVersion: number | undefined,
  check: (next: Template) => void,
): Promise<Template> {
  const current = await requireTemplate(tenantId, id)
  const version = expectedVersion ?? current.version
  const { text, ...rest } = changes
  const next: Template = {
    ...current,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    version: version + 1,
    updatedAt: nowIso(),
  }
  if (text === null) delete next.text
  else if (text !== undefined) next.text = text
  check(next)
  await put(tenantId, next, version)
  return next
}

/** Access pattern 4. Campaigns already sent keep what they sent; a draft naming it fails when scheduled. */
export function deleteTemplate(tenantId: string, id: string, ifMatch?: number): Promise<void> {
  return deleteIfMatch(templateKey(tenantId, id), ifMatch, 'No template with this id.')
}
