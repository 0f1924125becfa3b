/**
 * The whole event path with the real shared outbox publisher: an outbox item written to a table
 * reaches the subscribed function through the stream poller, PutEvents and the local bus.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { localDynamoDbClient } from '../src/dynamodb.js'
import { type LocalRuntime, startLocal } from '../src/runtime.js'
import { testServices, uniqueStage } from './fixtures/index.js'

const g = globalThis as { __echoEvents?: { detail?: { id?: string } }[] }
const dataDir = mkdtempSync(join(tmpdir(), 'relay-flow-'))
let rt: LocalRuntime

beforeAll(async () => {
  rt = await startLocal({
    port: 0,
    stage: uniqueStage('flow'),
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    services: testServices,
    quiet: true,
    schedules: false,
  })
})
afterAll(async () => {
  await rt?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('outbox → bus → subscriber', () => {
  it('publishes an outbox item and delivers it to the matching subscription', async () => {
    // Prepare
    g.__echoEvents = []
    const delivered = vi.fn()
    rt.bus.on('delivered', delivered)
    const client = localDynamoDbClient(rt.dynamodbEndpoint)
    const detail = {
      id: 'evt-1',
      tenantId: 't1',
      occurredAt: new Date().toISOString(),
      version: 1,
      correlationId: 'c1',
      data: { name: 'Siân' },
    }

    // Act
    await client.send(
      new PutItemCommand({
        TableName: process.env.ECHO_MAIN_TABLE!,
        Item: {
          pk: { S: 'T#t1#OUTBOX#evt-1' },
          sk: { S: 'OUTBOX' },
          kind: { S: 'outbox' },
          source: { S: 'crm.test' },
          detailType: { S: 'Thing.Created' },
          detail: {
            M: {
              id: { S: detail.id },
              tenantId: { S: detail.tenantId },
              occurredAt: { S: detail.occurredAt },
              version: { N: '1' },
              correlationId: { S: detail.correlationId },
              data: { M: { name: { S: 'Siân' } } },
            },
          },
        },
      }),
    )
    await vi.waitFor(() => expect(g.__echoEvents).toHaveLength(1), { timeout: 15_000 })
    client.destroy()

    // Assess
    expect(g.__echoEvents?.[0]).toMatchObject({
      source: 'crm.test',
      'detail-type': 'Thing.Created',
      detail: { ...detail, data: { name: 'Siân' } },
    })
    expect(delivered).toHaveBeenCalledTimes(1)
  })
})
