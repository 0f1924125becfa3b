import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, isConditionalCheckFailed, queryPage, tableName } from '../src/ddb.js'
import { problemOf } from '../src/http/problem.js'
import { Invalid } from '../src/outcomes.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('cursors', () => {
  it('round-trip a key of the same tenant', () => {
    // Prepare
    const key = { pk: 'T#acme#CONTACTS', sk: 'T#acme#C#01J', gsi1pk: 'T#acme#E#x', n: 3 }
    // Act
    const cursor = encodeCursor(key)
    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(cursor, 'acme')).toEqual(key)
  })

  it('undefined in, undefined out', () => {
    expect(encodeCursor(undefined)).toBeUndefined()
    expect(decodeCursor(undefined, 'acme')).toBeUndefined()
  })

  it("rejects another tenant's cursor with 400 on field cursor", () => {
    // Prepare
    const cursor = encodeCursor({ pk: 'T#other#CONTACTS', sk: 'T#other#C#1' })
    // Act
    const err = catchError(() => decodeCursor(cursor, 'acme'))
    // Assess
    expect(err).toBeInstanceOf(Invalid)
    expect(problemOf(err, false).status).toBe(400)
    expect((err as Invalid).errors[0]?.field).toBe('cursor')
  })

  it('rejects a cursor whose GSI key reaches another tenant even when pk is ours', () => {
    const cursor = encodeCursor({ pk: 'T#acme#X', sk: 'T#acme#Y', gsi2sk: 'T#acmex#Z' })
    expect(
      problemOf(
        catchError(() => decodeCursor(cursor, 'acme')),
        false,
      ).status,
    ).toBe(400)
  })

  it.each(['!!!', 'bm90IGpzb24', encodeCursor({ a: 1 }) as string, Buffer.from('[1]').toString('base64url')])(
    'rejects malformed cursor %s with 400',
    (cursor) => {
      expect(
        problemOf(
          catchError(() => decodeCursor(cursor, 'acme')),
          false,
        ).status,
      ).toBe(400)
    },
  )

  it('never returns a key outside the tenant, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        let key: Record<string, unknown> | undefined
        try {
          key = decodeCursor(Buffer.from(s).toString('base64url'), 'acme')
        } catch (err) {
          return err instanceof Invalid && problemOf(err, false).status === 400
        }
        return key === undefined || String(key.pk).startsWith('T#acme#')
      }),
    )
  })
})

describe('isConditionalCheckFailed', () => {
  it('recognises the plain and the transactional forms', () => {
    const plain = new ConditionalCheckFailedException({ message: 'no', $metadata: {} })
    const tx = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    })
    const otherTx = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ThrottlingError' }],
    })
    expect([plain, tx, otherTx, new Error('x'), undefined].map(isConditionalCheckFailed)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ])
  })
})

describe('tableName', () => {
  it('reads the service-qualified env var and fails clearly when unset', () => {
    process.env.CORETEST_MAIN_TABLE = 'crm-test-coretest-main'
    expect(tableName('coretest', 'main')).toBe('crm-test-coretest-main')
    expect(() => tableName('coretest', 'missing')).toThrow(/CORETEST_MISSING_TABLE/)
  })
})

describe('queryPage', () => {
  it('queries with the clamped limit and the decoded cursor, and returns the next cursor', async () => {
    // Prepare
    const startKey = { pk: 'T#acme#L', sk: 'T#acme#1' }
    const lastKey = { pk: 'T#acme#L', sk: 'T#acme#9' }
    ddb.on(QueryCommand).resolves({ Items: [{ id: '1' }], LastEvaluatedKey: lastKey })
    // Act
    const page = await queryPage(
      {
        TableName: 't',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'T#acme#L' },
      },
      { limit: 1000, cursor: encodeCursor(startKey), tenantId: 'acme' },
    )
    // Assess
    expect(page).toEqual({ items: [{ id: '1' }], nextCursor: encodeCursor(lastKey) })
    expect(ddb).toReceiveCommandWith(QueryCommand, { Limit: 100, ExclusiveStartKey: startKey })
  })

  it('defaults the limit to 25 and omits nextCursor on the last page', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    const page = await queryPage({ TableName: 't' }, { tenantId: 'acme' })
    expect(page).toEqual({ items: [] })
    expect(ddb).toReceiveCommandWith(QueryCommand, { Limit: 25 })
  })
})
