import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, it } from 'vitest'
import { createTables, localDynamoDbClient, startDynamoDbLocal, tableInput } from '../src/dynamodb.js'
import { testServices, uniqueStage } from './fixtures/index.js'

const endpoint = process.env.DYNAMODB_ENDPOINT!
const client = localDynamoDbClient(endpoint)
afterAll(() => client.destroy())

describe('createTables', () => {
  it('creates every manifest table with keys, GSIs, stream and TTL, and is idempotent', async () => {
    // Prepare
    const stage = uniqueStage('ddb')

    // Act
    const names = await createTables(stage, testServices, { endpoint })
    const again = await createTables(stage, testServices, { endpoint })

    // Assess
    expect(names.sort()).toEqual([`crm-${stage}-echo-main`, `crm-${stage}-echo-plain`])
    expect(again.sort()).toEqual(names.sort())
    const main = await client.send(new DescribeTableCommand({ TableName: `crm-${stage}-echo-main` }))
    expect(main.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ])
    expect(main.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('gsi1')
    expect(main.Table?.GlobalSecondaryIndexes?.[0]?.Projection?.ProjectionType).toBe('ALL')
    expect(main.Table?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    })
    expect(main.Table?.LatestStreamArn).toBeTruthy()
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: `crm-${stage}-echo-main` }))
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('ttl')
    const plain = await client.send(new DescribeTableCommand({ TableName: `crm-${stage}-echo-plain` }))
    expect(plain.Table?.StreamSpecification?.StreamEnabled).not.toBe(true)
  })

  it('builds string key attributes only', () => {
    const input = tableInput('x', 's', 't', {
      partitionKey: 'pk',
      sortKey: 'sk',
      gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk' }],
    })
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
    ])
    expect(input.StreamSpecification).toBeUndefined()
  })
})

describe('startDynamoDbLocal', () => {
  it('starts a second instance on a free port and stops it', async () => {
    // Act
    const ddb = await startDynamoDbLocal({ inMemory: true })
    const own = localDynamoDbClient(ddb.endpoint)
    const tables = await own.send(new ListTablesCommand({}))
    own.destroy()
    await ddb.stop()

    // Assess
    expect(tables.TableNames).toEqual([])
    expect(ddb.process.exitCode !== null || ddb.process.signalCode !== null).toBe(true)
  })
})
