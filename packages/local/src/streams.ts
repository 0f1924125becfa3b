/**
 * Local event-source mapping for DynamoDB streams: polls the stream of every outbox table and hands
 * batches to a publisher as Lambda would (`DynamoDBStreamEvent`, partial batch failures retried,
 * records not matching the mapping's filter dropped before the call). The last processed sequence
 * number per shard is checkpointed in the data folder (one file per mapping), so a restart resumes
 * where it stopped and a crash between write and publish loses nothing.
 *
 * Each outbox table has two mappings, as in AWS (`infra/lib/service/outbox.ts`): the event
 * publisher's (`kind = outbox`) and the queue publisher's (`kind = queue`), two pollers each with
 * its own position in the shard, so neither holds the other back.
 */
import { join } from 'node:path'
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams'
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient } from './dynamodb.js'
import { readJson, writeJsonAtomic } from './persist.js'

/** Lambda-style handler; a `DynamoDBBatchResponse` result reports partial failures. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<unknown>

export interface StreamPollerOptions {
  endpoint: string
  /** Physical names of the tables to follow. */
  tables: readonly string[]
  /** The function the records go to (an outbox publisher). */
  handler: StreamHandler
  /**
   * The mapping's filter, as Lambda's FilterCriteria: only matching records are handed over; the
   * others count as processed (the checkpoint moves past them). Default: every record.
   */
  filter?: (record: DynamoDBRecord) => boolean
  /**
   * The mapping's name: its checkpoints go to `stream-checkpoints-<name>.json`, its log lines say
   * it. Default: none, `stream-checkpoints.json`.
   */
  name?: string
  /** Folder for the checkpoint file. */
  dataDir: string
  /** Poll interval (default 100 ms). */
  intervalMs?: number
  /** Records per batch (default 100, like Lambda). */
  batchSize?: number
  log?(line: string): void
}

interface ShardState {
  streamArn: string
  shardId: string
  iterator?: string
  /** Records fetched but not yet accepted by the handler (retried first). */
  pending: DynamoDBRecord[]
  failures: number
  retryAt: number
  closed: boolean
}

type Checkpoints = Record<string, string>

/**
 * The filter of an outbox publisher's mapping, as in CDK: INSERTs whose new image has `kind` =
 * `kind` (`{ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [kind] } } } }`).
 */
export function outboxKindFilter(kind: 'outbox' | 'queue'): (record: DynamoDBRecord) => boolean {
  return (record) => record.eventName === 'INSERT' && record.dynamodb?.NewImage?.kind?.S === kind
}

/** Converts an SDK stream record to the Lambda event record (timestamps as epoch seconds). */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {}
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? LOCAL_REGION,
    dynamodb: {
      ...(rest as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(new Date(ApproximateCreationDateTime).getTime() / 1000) }
        : {}),
    },
    eventSourceARN: streamArn,
  } as DynamoDBRecord
}

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient
  private readonly ddb: DynamoDBClient
  private readonly shards = new Map<string, ShardState>()
  /** Shards fully read (closed and drained): never reopened. */
  private readonly finished = new Set<string>()
  private checkpoints: Checkpoints = {}
  private readonly file: string
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private stopped = false
  private lastDiscovery = 0
  private readonly log: (line: string) => void

  constructor(private readonly options: StreamPollerOptions) {
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    })
    this.ddb = localDynamoDbClient(options.endpoint)
    this.file = join(
      options.dataDir,
      options.name ? `stream-checkpoints-${options.name}.json` : 'stream-checkpoints.json',
    )
    this.log = options.log ?? (() => {})
  }

  /** Loads checkpoints, discovers shards and starts polling. */
  async start(): Promise<void> {
    this.checkpoints = await readJson<Checkpoints>(this.file, {})
    await this.discover()
    this.loop(0)
  }

  /**
   * Runs one poll of every shard now (also what the timer does); exposed for tests. True when a
   * shard handed over a full batch, so more records are probably waiting.
   */
  async pollOnce(): Promise<boolean> {
    if (Date.now() - this.lastDiscovery > 2000) await this.discover()
    const full = await Promise.all([...this.shards.values()].map((s) => this.pollShard(s)))
    return full.some(Boolean)
  }

  /** Stops polling after the batch in progress. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    this.streams.destroy()
    this.ddb.destroy()
  }

  // Like Lambda's event source mapping: a shard that is behind is read again at once, an idle one
  // after the interval (a backlog of 100 000 records drains in seconds, not 100 records a tick).
  private loop(delayMs = this.options.intervalMs ?? 100): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      let behind = false
      this.running = this.pollOnce()
        .then((full) => {
          behind = full
        })
        .catch((err) => this.log(`stream poller: ${(err as Error).message}`))
        .finally(() => this.loop(behind ? 0 : undefined))
    }, delayMs)
  }

  private async discover(): Promise<void> {
    this.lastDiscovery = Date.now()
    for (const table of this.options.tables) {
      const described = await this.ddb.send(new DescribeTableCommand({ TableName: table }))
      const streamArn = described.Table?.LatestStreamArn
      if (!streamArn) continue
      const shards: Shard[] = []
      let start: string | undefined
      do {
        const page = await this.streams.send(
          new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
        )
        shards.push(...(page.StreamDescription?.Shards ?? []))
        start = page.StreamDescription?.LastEvaluatedShardId
      } while (start)
      const known = new Set(shards.map((s) => s.ShardId))
      for (const shard of shards) {
        const id = shard.ShardId!
        if (this.shards.has(id) || this.finished.has(id)) continue
        // Children wait until their parent is drained, so records stay in order.
        const parent = shard.ParentShardId
        if (parent && known.has(parent) && !this.finished.has(parent)) {
          this.addShard(streamArn, parent)
          continue
        }
        this.addShard(streamArn, id)
      }
    }
  }

  private addShard(streamArn: string, shardId: string): void {
    if (this.shards.has(shardId) || this.finished.has(shardId)) return
    this.shards.set(shardId, { streamArn, shardId, pending: [], failures: 0, retryAt: 0, closed: false })
  }

  private async iteratorFor(state: ShardState): Promise<string | undefined> {
    const checkpoint = this.checkpoints[state.shardId]
    try {
      const out = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: state.streamArn,
          ShardId: state.shardId,
          ...(checkpoint
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      )
      return out.ShardIterator
    } catch (err) {
      if (!checkpoint) throw err
      // The checkpointed record was trimmed: start from the oldest record still there.
      const out = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: state.streamArn,
          ShardId: state.shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
      return out.ShardIterator
    }
  }

  /** Reads and delivers one batch of a shard; true when the batch was full and delivered. */
  private async pollShard(state: ShardState): Promise<boolean> {
    if (this.stopped || Date.now() < state.retryAt) return false
    let read = 0
    if (state.pending.length === 0 && !state.closed) {
      state.iterator ??= await this.iteratorFor(state)
      if (!state.iterator) {
        state.closed = true
      } else {
        let out: GetRecordsCommandOutput
        try {
          out = await this.streams.send(
            new GetRecordsCommand({ ShardIterator: state.iterator, Limit: this.options.batchSize ?? 100 }),
          )
        } catch (err) {
          // An expired or unusable iterator: take a fresh one (from the checkpoint) on the next poll.
          this.log(
            `stream poller: ${state.streamArn} ${state.shardId}: ${(err as Error).name}: ${(err as Error).message}`,
          )
          state.iterator = undefined
          state.failures++
          state.retryAt = Date.now() + Math.min(5000, 100 * 2 ** state.failures)
          return false
        }
        state.failures = 0
        state.iterator = out.NextShardIterator
        if (!state.iterator) state.closed = true
        state.pending = (out.Records ?? []).map((r) => toLambdaRecord(r, state.streamArn))
        read = state.pending.length
      }
    }
    if (state.pending.length > 0) await this.deliver(state)
    if (state.closed && state.pending.length === 0) {
      this.shards.delete(state.shardId)
      this.finished.add(state.shardId)
    }
    return read >= (this.options.batchSize ?? 100) && state.pending.length === 0
  }

  private async deliver(state: ShardState): Promise<void> {
    const batch = state.pending
    const { filter } = this.options
    // As Lambda with FilterCriteria: the handler sees only matching records (and is not called
    // when none match); the others are done, so the checkpoint moves past them.
    const records = filter ? batch.filter(filter) : batch
    let failedIndex = -1
    if (records.length > 0) {
      try {
        const response = (await this.options.handler({ Records: records })) as
          | DynamoDBBatchResponse
          | undefined
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier))
        if (failed.size) failedIndex = batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''))
        // A failure naming no record of the batch: retry from the first record handed over.
        if (failed.size && failedIndex < 0) failedIndex = batch.indexOf(records[0]!)
      } catch (err) {
        this.log(
          `${this.options.name ?? 'outbox'} publisher threw: ${(err as Error).message}; retrying the batch`,
        )
        failedIndex = batch.indexOf(records[0]!)
      }
    }
    // Like Lambda with ReportBatchItemFailures: everything before the first failure is done.
    const doneUpTo = failedIndex < 0 ? batch.length : failedIndex
    const last = batch[doneUpTo - 1]?.dynamodb?.SequenceNumber
    if (last) {
      this.checkpoints[state.shardId] = last
      await writeJsonAtomic(this.file, this.checkpoints)
    }
    state.pending = batch.slice(doneUpTo)
    if (state.pending.length) {
      state.failures++
      state.retryAt = Date.now() + Math.min(5000, 100 * 2 ** state.failures)
    } else {
      state.failures = 0
      state.retryAt = 0
    }
  }
}
