import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import { tableInput } from '@relay/local/dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedCall } from './ddb-proxy.js'
import { createReplayer, describeCalls, scratchName, stepsOf } from './replay.js'

const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT })
const TABLE_INPUT = tableInput(`replay${Date.now()}`, 'bench', 'main', {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsis: [{ name: 'gsi1', partitionKey: 'gsi1pk' }],
  outbox: true,
})
const TABLE = TABLE_INPUT.TableName!
const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'c' } })
const call = (op: string, input: object, start: number, end: number): RecordedCall => ({
  op,
  body: JSON.stringify(input),
  start,
  end,
  status: 200,
})

// What a create-and-update request looked like at the proxy: every condition it carried held then,
// and none holds any more (the item exists, its version moved on, the checked item never existed).
const recorded = [
  call('GetItem', { TableName: TABLE, Key: key('c#1') }, 0, 1),
  call(
    'TransactWriteItems',
    {
      ClientRequestToken: 'the-original-token',
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: { ...key('c#2'), version: { N: '1' }, gsi1pk: { S: 'email#a' } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: TABLE,
            Key: key('c#1'),
            UpdateExpression: 'SET #version = :next ADD seq :one',
            ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':next': { N: '2' }, ':expected': { N: '0' }, ':one': { N: '1' } },
          },
        },
        {
          ConditionCheck: { TableName: TABLE, Key: key('c#9'), ConditionExpression: 'attribute_exists(pk)' },
        },
      ],
    },
    2,
    3,
  ),
  call(
    'PutItem',
    {
      TableName: TABLE,
      Item: { ...key('c#1'), version: { N: '3' }, photo: { B: Buffer.from('png').toString('base64') } },
      ConditionExpression: '#version = :v',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':v': { N: '99' } },
    },
    4,
    6,
  ),
  call(
    'Query',
    {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'c#1' } },
    },
    5,
    6,
  ),
]

describe('raw replay of a request’s DynamoDB calls', () => {
  beforeAll(async () => {
    // A service table as the runtime creates it: pk/sk, a GSI, a stream (an outbox table).
    await client.send(new CreateTableCommand(TABLE_INPUT))
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { ...key('c#1'), version: { N: '1' }, seq: { N: '5' } } }),
    )
  })
  afterAll(async () => {
    for (const name of [TABLE, scratchName(TABLE)])
      await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined)
    client.destroy()
  })

  it('keeps the order and overlap of the calls', () => {
    expect(stepsOf(recorded).map((step) => step.map((c) => c.op))).toEqual([
      ['GetItem'],
      ['TransactWriteItems'],
      ['PutItem', 'Query'],
    ])
    expect(describeCalls(recorded)).toBe('GetItem → TransactWriteItems(3) → PutItem ‖ Query')
  })

  it('turns every condition into one that holds, on the same item, and drops what only it used', async () => {
    const planned = await createReplayer(client).plan(recorded)
    const always = 'attribute_exists(#bench_k) OR attribute_not_exists(#bench_k)'
    expect(planned.map((c) => c.after)).toEqual([[], [0], [0, 1], [0, 1]])
    expect(planned[0]!.input.TableName).toBe(TABLE)
    const tx = planned[1]!.input
    expect(tx.ClientRequestToken).toBeUndefined()
    expect(tx.TransactItems).toEqual([
      {
        Put: {
          TableName: scratchName(TABLE),
          Item: { ...key('c#2'), version: { N: '1' }, gsi1pk: { S: 'email#a' } },
          ConditionExpression: always,
          ExpressionAttributeNames: { '#bench_k': 'pk' },
        },
      },
      {
        Update: {
          TableName: scratchName(TABLE),
          Key: key('c#1'),
          UpdateExpression: 'SET #version = :next ADD seq :one',
          ConditionExpression: always,
          ExpressionAttributeNames: { '#version': 'version', '#bench_k': 'pk' },
          ExpressionAttributeValues: { ':next': { N: '2' }, ':one': { N: '1' } },
        },
      },
      {
        ConditionCheck: {
          TableName: scratchName(TABLE),
          Key: key('c#9'),
          ConditionExpression: always,
          ExpressionAttributeNames: { '#bench_k': 'pk' },
        },
      },
    ])
    expect(planned[2]!.input.ExpressionAttributeValues).toBeUndefined()
    expect(planned[3]!.input.TableName).toBe(TABLE)
  })

  it('replays every call without a failed condition, again and again, writing only to the scratch copy', async () => {
    const replayer = createReplayer(client)
    for (let i = 0; i < 2; i++) expect((await replayer.replay(recorded)).errors).toEqual([])

    const real = (pk: string) => client.send(new GetItemCommand({ TableName: TABLE, Key: key(pk) }))
    expect((await real('c#1')).Item).toEqual({ ...key('c#1'), version: { N: '1' }, seq: { N: '5' } })
    expect((await real('c#2')).Item).toBeUndefined()

    const scratch = (pk: string) =>
      client.send(new GetItemCommand({ TableName: scratchName(TABLE), Key: key(pk) }))
    expect((await scratch('c#2')).Item?.version).toEqual({ N: '1' })
    // Writes into the copy pay index and stream upkeep as they did in the real table.
    const { Table } = await client.send(new DescribeTableCommand({ TableName: scratchName(TABLE) }))
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' })
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['gsi1'])
    // The update found the attributes it adds to on a copy of the real item; then the put replaced it.
    expect((await scratch('c#1')).Item).toEqual({
      ...key('c#1'),
      version: { N: '3' },
      photo: { B: new Uint8Array(Buffer.from('png')) },
    })
  })

  it('replays a delete on the item the snapshot kept, though the request already deleted it', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key('c#3'), version: { N: '4' } } }))
    const replayer = createReplayer(client)
    await replayer.snapshot([TABLE])
    // The request: delete c#3 while it is at version 4.
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key('c#3') }))
    const scratch = () => client.send(new GetItemCommand({ TableName: scratchName(TABLE), Key: key('c#3') }))
    expect((await scratch()).Item?.version).toEqual({ N: '4' })

    const readCall = call('GetItem', { TableName: TABLE, Key: key('c#3') }, 0, 1)
    const deleteCall = call(
      'DeleteItem',
      {
        TableName: TABLE,
        Key: key('c#3'),
        ConditionExpression: '#version = :v',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':v': { N: '4' } },
      },
      2,
      3,
    )
    // The request read c#3 before deleting it: the replay reads the copy, where it still is.
    expect((await replayer.plan([readCall, deleteCall]))[0]!.input.TableName).toBe(scratchName(TABLE))
    expect((await replayer.replay([readCall, deleteCall])).errors).toEqual([])
    expect((await scratch()).Item).toBeUndefined()
  })
})
