/**
 * The latency floor of a route: the DynamoDB calls its requests really made (recorded by
 * ddb-proxy.ts), made again straight to DynamoDB Local with the low-level SDK client, in the same
 * order and with the same overlap, in the same run.
 *
 * Replayed writes must not fail on their conditions (the original already consumed them) and must
 * not touch the service's data (a replayed outbox item would publish its event twice). So:
 * - reads go to the real table, unchanged, so they read the same items and pay the same sizes;
 *   except reads by key (GetItem, BatchGetItem, TransactGetItems) of a table that was snapshotted
 *   (below), which read the scratch copy: it still holds an item the request read, then deleted;
 * - writes go to a scratch copy of the table (`<table>-replay`: same keys, indexes and stream, so
 *   index and stream upkeep are paid too; nothing reads its stream), and every condition they carry
 *   (ConditionCheck items included) becomes an always-true condition on the same item,
 *   `attribute_exists(#k) OR attribute_not_exists(#k)`. DynamoDB still reads the item and evaluates
 *   a condition, so the write pays what the original paid (dropping conditions instead measured
 *   ~7% cheaper on a 10-item transaction), but it cannot fail. Transactions lose their
 *   ClientRequestToken (a reused token is answered from DynamoDB's idempotency cache, undone).
 * - the scratch copy starts as a snapshot of the real table taken before a route's samples
 *   (`snapshot()`), so a replayed delete deletes items that exist, as the request's did; and before
 *   each replayed request, untimed, the items its writes touch are copied again from the real table
 *   where they still exist there (an update then finds the attributes it adds to, and rewrites an
 *   item of the real size); a put that was an insert (`attribute_not_exists(...)`) finds no item.
 */
import * as sdk from '@aws-sdk/client-dynamodb'
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb'
import type { RecordedCall } from './ddb-proxy.js'

type Input = Record<string, any>
type Key = Record<string, AttributeValue>

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'])
export const scratchName = (table: string) => `${table}-replay`

/** Calls that started after every earlier call had ended begin a new step; calls within a step overlapped. */
export function stepsOf(calls: readonly RecordedCall[]): RecordedCall[][] {
  const steps: RecordedCall[][] = []
  let end = Number.NEGATIVE_INFINITY
  for (const call of calls) {
    if (call.start >= end || steps.length === 0) steps.push([call])
    else steps[steps.length - 1]!.push(call)
    end = Math.max(end, call.end)
  }
  return steps
}

/** The real tables the calls write to. */
export function tablesWritten(calls: readonly RecordedCall[]): string[] {
  const tables = new Set<string>()
  for (const call of calls) {
    if (!WRITES.has(call.op)) continue
    const input = JSON.parse(call.body) as Input
    if (call.op === 'TransactWriteItems')
      for (const item of input.TransactItems as Input[]) tables.add(Object.values(item)[0].TableName)
    else if (call.op === 'BatchWriteItem') for (const t of Object.keys(input.RequestItems)) tables.add(t)
    else tables.add(input.TableName)
  }
  return [...tables]
}

/** `GetItem → TransactWriteItems(6)`: the calls of one request, overlapping ones joined by ` ‖ `. */
export function describeCalls(calls: readonly RecordedCall[]): string {
  if (calls.length === 0) return 'none'
  const name = (c: RecordedCall) => {
    if (c.op !== 'TransactWriteItems' && c.op !== 'TransactGetItems') return c.op
    const items = (JSON.parse(c.body) as { TransactItems?: unknown[] }).TransactItems?.length ?? 0
    return `${c.op}(${items})`
  }
  return stepsOf(calls)
    .map((step) => step.map(name).join(' ‖ '))
    .join(' → ')
}

/** Drops names and values no remaining expression uses (DynamoDB refuses unused ones). */
function prune(input: Input): void {
  const text = [
    input.UpdateExpression,
    input.ConditionExpression,
    input.ProjectionExpression,
    input.KeyConditionExpression,
    input.FilterExpression,
  ]
    .filter(Boolean)
    .join(' ')
  for (const [field, pattern] of [
    ['ExpressionAttributeNames', /#[A-Za-z0-9_]+/g],
    ['ExpressionAttributeValues', /:[A-Za-z0-9_]+/g],
  ] as const) {
    if (!input[field]) continue
    const used = new Set(text.match(pattern) ?? [])
    for (const key of Object.keys(input[field])) if (!used.has(key)) delete input[field][key]
    if (Object.keys(input[field]).length === 0) delete input[field]
  }
}

/** The original condition, if any, replaced by one on the same item that always holds. */
function alwaysTrue(input: Input, keyName: string): void {
  const had = input.ConditionExpression || input.Expected
  delete input.ConditionExpression
  delete input.Expected
  delete input.ConditionalOperator
  if (had) {
    input.ConditionExpression = 'attribute_exists(#bench_k) OR attribute_not_exists(#bench_k)'
    input.ExpressionAttributeNames = { ...(input.ExpressionAttributeNames ?? {}), '#bench_k': keyName }
  }
  prune(input)
}

/** The wire JSON carries binary attributes as base64; the SDK's input wants bytes. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive)
  if (!value || typeof value !== 'object') return value
  const out: Input = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === 'B' && typeof v === 'string') out[k] = Buffer.from(v, 'base64')
    else if (k === 'BS' && Array.isArray(v)) out[k] = v.map((b) => Buffer.from(String(b), 'base64'))
    else out[k] = revive(v)
  }
  return out
}

function createInputOf(d: TableDescription): CreateTableCommandInput {
  const index = (i: { IndexName?: string; KeySchema?: unknown; Projection?: unknown }) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
  })
  return {
    TableName: scratchName(d.TableName!),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: d.AttributeDefinitions,
    KeySchema: d.KeySchema,
    ...(d.GlobalSecondaryIndexes?.length
      ? { GlobalSecondaryIndexes: d.GlobalSecondaryIndexes.map(index) as never }
      : {}),
    ...(d.LocalSecondaryIndexes?.length
      ? { LocalSecondaryIndexes: d.LocalSecondaryIndexes.map(index) as never }
      : {}),
    ...(d.StreamSpecification?.StreamEnabled ? { StreamSpecification: d.StreamSpecification } : {}),
  }
}

/** One prepared request: the items to copy first (untimed), then the calls to make (timed). */
interface Prepared {
  copies: Array<{ table: string; key: Key; insert: boolean }>
  calls: Array<{ op: string; input: Input; after: number[] }>
}

export interface ReplayResult {
  ms: number
  /** `op: ErrorName` of calls that failed (the floor of a request with failures is not honest). */
  errors: string[]
}

export interface Replayer {
  /** Copies every item of these real tables into their scratch copies (untimed; before a route's samples). */
  snapshot(tables: readonly string[]): Promise<void>
  /** Replays one request's recorded calls; `ms` is the time from the first call to the last answer. */
  replay(calls: readonly RecordedCall[]): Promise<ReplayResult>
  /** The inputs `replay` would send for these calls (and after which earlier calls each one waits). */
  plan(calls: readonly RecordedCall[]): Promise<Prepared['calls']>
}

export function createReplayer(client: DynamoDBClient): Replayer {
  const tables = new Map<string, Promise<string[]>>()
  /** Key attribute names of a real table; its scratch copy is created on first use. */
  const keyNames = (table: string) => {
    let names = tables.get(table)
    if (!names) {
      names = (async () => {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: table }))
        try {
          await client.send(new CreateTableCommand(createInputOf(Table!)))
        } catch (err) {
          if ((err as Error).name !== 'ResourceInUseException') throw err
        }
        return Table!.KeySchema!.map((k) => k.AttributeName!)
      })()
      tables.set(table, names)
    }
    return names
  }
  const keyOf = async (table: string, item: Key) =>
    Object.fromEntries((await keyNames(table)).map((n) => [n, item[n]!])) as Key

  /** Rewrites one write (Put, Update, Delete, ConditionCheck) for the scratch copy; notes the item to copy. */
  const rewrite = async (kind: string, w: Input, copies: Prepared['copies']) => {
    const table = w.TableName as string
    const key = kind === 'Put' || kind === 'PutItem' ? await keyOf(table, w.Item) : (w.Key as Key)
    await keyNames(table)
    const insert =
      (kind === 'Put' || kind === 'PutItem') && /^\s*attribute_not_exists\(/.test(w.ConditionExpression ?? '')
    copies.push({ table, key, insert })
    w.TableName = scratchName(table)
    alwaysTrue(w, (await keyNames(table))[0]!)
  }

  const snapshotted = new Set<string>()
  /** A read by key of a snapshotted table reads the copy: it holds what the request read, deleted or not. */
  const readCopy = (table: string, key: Key, copies: Prepared['copies']) => {
    if (!snapshotted.has(table)) return table
    copies.push({ table, key, insert: false })
    return scratchName(table)
  }

  const prepare = async (recorded: readonly RecordedCall[]): Promise<Prepared> => {
    const prepared: Prepared = { copies: [], calls: [] }
    for (const [j, call] of recorded.entries()) {
      const input = revive(JSON.parse(call.body)) as Input
      if (call.op === 'GetItem') input.TableName = readCopy(input.TableName, input.Key, prepared.copies)
      else if (call.op === 'TransactGetItems')
        for (const { Get } of input.TransactItems as Input[])
          Get.TableName = readCopy(Get.TableName, Get.Key, prepared.copies)
      else if (call.op === 'BatchGetItem') {
        const renamed: Input = {}
        for (const [table, request] of Object.entries(input.RequestItems as Record<string, Input>)) {
          let name = table
          for (const key of request.Keys as Key[]) name = readCopy(table, key, prepared.copies)
          renamed[name] = request
        }
        input.RequestItems = renamed
      } else if (WRITES.has(call.op)) {
        if (call.op === 'TransactWriteItems') {
          delete input.ClientRequestToken
          for (const item of input.TransactItems as Input[]) {
            const [kind, w] = Object.entries(item)[0]!
            await rewrite(kind, w, prepared.copies)
          }
        } else if (call.op === 'BatchWriteItem') {
          const renamed: Input = {}
          for (const [table, requests] of Object.entries(input.RequestItems as Record<string, Input[]>)) {
            for (const r of requests) {
              const key = r.PutRequest ? await keyOf(table, r.PutRequest.Item) : r.DeleteRequest.Key
              prepared.copies.push({ table, key, insert: false })
            }
            renamed[scratchName(table)] = requests
          }
          input.RequestItems = renamed
        } else await rewrite(call.op, input, prepared.copies)
      }
      const after = recorded.slice(0, j).flatMap((prev, i) => (prev.end <= call.start ? [i] : []))
      prepared.calls.push({ op: call.op, input, after })
    }
    return prepared
  }

  const copyIn = async ({ table, key, insert }: Prepared['copies'][number]) => {
    const scratch = scratchName(table)
    if (insert) {
      await client.send(new DeleteItemCommand({ TableName: scratch, Key: key }))
      return
    }
    const { Item } = await client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    )
    // Gone from the real table (the request deleted it): the snapshot's copy stays, to be deleted again.
    if (Item) await client.send(new PutItemCommand({ TableName: scratch, Item }))
  }

  return {
    plan: async (recorded) => (await prepare(recorded)).calls,
    async snapshot(names) {
      for (const table of names) {
        await keyNames(table)
        snapshotted.add(table)
        let ExclusiveStartKey: Key | undefined
        do {
          const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey }))
          const items = page.Items ?? []
          for (let i = 0; i < items.length; i += 25) {
            let pending: Input[] | undefined = items
              .slice(i, i + 25)
              .map((Item) => ({ PutRequest: { Item } }))
            while (pending?.length) {
              const out = await client.send(
                new BatchWriteItemCommand({ RequestItems: { [scratchName(table)]: pending as never } }),
              )
              pending = out.UnprocessedItems?.[scratchName(table)] as Input[] | undefined
            }
          }
          ExclusiveStartKey = page.LastEvaluatedKey
        } while (ExclusiveStartKey)
      }
    },
    async replay(recorded) {
      const { copies, calls } = await prepare(recorded)
      for (const copy of copies) await copyIn(copy)
      const commands = calls.map(({ op, input }) => {
        const Command = (sdk as unknown as Record<string, new (i: Input) => unknown>)[`${op}Command`]
        if (!Command) throw new Error(`replay: no SDK command for ${op}`)
        return new Command(input)
      })
      const errors: string[] = []
      const done: Promise<void>[] = []
      const started = performance.now()
      for (const [j, call] of calls.entries()) {
        done.push(
          Promise.all(call.after.map((i) => done[i])).then(() =>
            client.send(commands[j] as never).then(
              () => {},
              (err: Error) => {
                errors.push(`${recorded[j]!.op}: ${err.name}`)
              },
            ),
          ),
        )
      }
      await Promise.all(done)
      return { ms: performance.now() - started, errors }
    },
  }
}
