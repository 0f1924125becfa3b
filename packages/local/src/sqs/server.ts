/**
 * An SQS-compatible endpoint speaking the JSON protocol of the current @aws-sdk/client-sqs
 * (`POST /`, `X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`), over {@link QueueStore}.
 * Errors carry `__type` (`com.amazonaws.sqs#QueueDoesNotExist`, ...), which the SDK turns into its
 * exception classes. The query protocol of older SDKs is not spoken.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import {
  ATTRIBUTE_BOUNDS,
  type MessageAttribute,
  QUEUE_DEFAULTS,
  type QueueStore,
  type ReceivedMessage,
  SqsError,
} from './queues.js'

type Input = Record<string, unknown>
type Op = (input: Input) => Promise<unknown> | unknown

/** SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: 1 to 10 entries. */
const MAX_BATCH = 10
/** The whole batch's bodies together, whatever the queue's MaximumMessageSize. */
const MAX_BATCH_BYTES = 1_048_576
const SETTABLE = new Set([...Object.keys(QUEUE_DEFAULTS), 'RedrivePolicy', 'RedriveAllowPolicy', 'Policy'])
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/
// XML 1.0 characters: what SQS accepts in a body.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters SQS refuses are the point
const INVALID_BODY = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** A batch entry's failure as SQS reports it: ours are the caller's fault, anything else ours. */
function batchFailure(entry: Input, err: unknown) {
  const known = err instanceof SqsError
  return {
    Id: entry.Id as string,
    SenderFault: known,
    Code: known ? err.code : 'InternalError',
    Message: (err as Error).message,
  }
}

const invalid = (message: string) => new SqsError('InvalidParameterValue', message)

function str(input: Input, key: string, required: true): string
function str(input: Input, key: string, required?: false): string | undefined
function str(input: Input, key: string, required = false): string | undefined {
  const v = input[key]
  if (v === undefined || v === null) {
    if (required) throw new SqsError('MissingParameter', `The request must contain the parameter ${key}.`)
    return undefined
  }
  if (typeof v !== 'string') throw invalid(`Value for parameter ${key} is invalid. Reason: must be a string.`)
  return v
}

function int(input: Input, key: string, [min, max]: readonly [number, number]): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(
      `Value ${JSON.stringify(v)} for parameter ${key} is invalid. Reason: must be between ${min} and ${max}.`,
    )
  return v
}

function list(input: Input, key: string): Input[] {
  const v = input[key]
  if (v === undefined)
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.')
  if (!Array.isArray(v)) throw invalid(`${key} must be a list.`)
  if (v.length === 0)
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.')
  if (v.length > MAX_BATCH)
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${v.length}.`,
    )
  const ids = new Set<string>()
  for (const e of v as Input[]) {
    const id = typeof e?.Id === 'string' ? e.Id : ''
    if (!ENTRY_ID.test(id))
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      )
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`)
    ids.add(id)
  }
  return v as Input[]
}

/** Checks queue attributes a caller sets; RedrivePolicy must name an existing queue. */
function checkAttributes(store: QueueStore, attributes: unknown): Record<string, string> {
  if (attributes === undefined) return {}
  if (typeof attributes !== 'object' || attributes === null) throw invalid('Attributes must be a map.')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(attributes as Record<string, unknown>)) {
    if (k === 'FifoQueue' || k === 'ContentBasedDeduplication')
      throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local endpoint.')
    if (!SETTABLE.has(k)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${k}.`)
    if (typeof v !== 'string')
      throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${k}.`)
    const bounds = ATTRIBUTE_BOUNDS[k as keyof typeof ATTRIBUTE_BOUNDS]
    if (bounds && (!/^\d+$/.test(v) || Number(v) < bounds[0] || Number(v) > bounds[1]))
      throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${k}.`)
    if (k === 'RedrivePolicy' && v !== '') {
      let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
      try {
        policy = JSON.parse(v)
      } catch {
        throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy.')
      }
      const max = Number(policy.maxReceiveCount)
      const target = typeof policy.deadLetterTargetArn === 'string' ? policy.deadLetterTargetArn : ''
      const name = target.split(':').pop() ?? ''
      if (!Number.isInteger(max) || max < 1 || max > 1000 || target !== store.arnOf(name) || !store.has(name))
        throw new SqsError(
          'InvalidAttributeValue',
          'Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist, or maxReceiveCount is not between 1 and 1000.',
        )
      out[k] = JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: max })
      continue
    }
    out[k] = v
  }
  return out
}

function checkMessageAttributes(value: unknown): Record<string, MessageAttribute> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) throw invalid('MessageAttributes must be a map.')
  const out: Record<string, MessageAttribute> = {}
  const entries = Object.entries(value as Record<string, Input>)
  if (entries.length > 10)
    throw invalid('Number of message attributes [' + entries.length + '] exceeds the allowed maximum [10].')
  for (const [name, a] of entries) {
    const type = typeof a?.DataType === 'string' ? a.DataType : ''
    if (!/^(String|Number|Binary)(\..+)?$/.test(type))
      throw invalid(`The message attribute '${name}' has an invalid type.`)
    const isBinary = type.startsWith('Binary')
    const v = isBinary ? a.BinaryValue : a.StringValue
    if (typeof v !== 'string')
      throw invalid(`The message attribute '${name}' must contain a non-empty value of type '${type}'.`)
    out[name] = isBinary ? { DataType: type, BinaryValue: v } : { DataType: type, StringValue: v }
  }
  return out
}

/** The ops of the SQS API this endpoint serves, keyed by `X-Amz-Target` suffix. */
export function sqsOperations(store: QueueStore, baseUrl: () => string, account: string): Record<string, Op> {
  const urlOf = (name: string) => `${baseUrl()}/${account}/${name}`
  const queueOf = (input: Input): string => {
    const url = str(input, 'QueueUrl', true)
    const parts = url.split('/')
    const name = parts.pop() ?? ''
    if (parts.pop() !== account || !store.has(name))
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.')
    return name
  }
  const checkBody = (queue: string, body: string) => {
    if (body.length === 0)
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.')
    if (INVALID_BODY.test(body))
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      )
    const max = store.maxMessageBytes(queue)
    if (Buffer.byteLength(body) > max)
      throw invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`)
  }
  const wantedAttributes = (input: Input) =>
    new Set([
      ...((input.AttributeNames as string[] | undefined) ?? []),
      ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
    ])
  const shapeMessage = (r: ReceivedMessage, wanted: Set<string>, wantedMsgAttrs: string[]) => {
    const m = r.message
    const system: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      SenderId: account,
    }
    const all = wanted.has('All')
    const attrs = Object.fromEntries(Object.entries(system).filter(([k]) => all || wanted.has(k)))
    const msgAttrs = Object.fromEntries(
      Object.entries(m.attributes ?? {}).filter(
        ([k]) =>
          wantedMsgAttrs.includes('All') || wantedMsgAttrs.includes('.*') || wantedMsgAttrs.includes(k),
      ),
    )
    return {
      MessageId: m.id,
      ReceiptHandle: r.receiptHandle,
      MD5OfBody: m.md5,
      Body: m.body,
      ...(Object.keys(attrs).length ? { Attributes: attrs } : {}),
      ...(Object.keys(msgAttrs).length
        ? { MessageAttributes: msgAttrs, MD5OfMessageAttributes: m.md5OfAttributes }
        : {}),
    }
  }

  return {
    async CreateQueue(input) {
      const name = str(input, 'QueueName', true)
      if (!QUEUE_NAME.test(name))
        throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length')
      await store.create(name, checkAttributes(store, input.Attributes))
      return { QueueUrl: urlOf(name) }
    },
    GetQueueUrl(input) {
      const name = str(input, 'QueueName', true)
      if (!store.has(name)) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.')
      return { QueueUrl: urlOf(name) }
    },
    ListQueues(input) {
      const prefix = str(input, 'QueueNamePrefix') ?? ''
      return {
        QueueUrls: store
          .names()
          .filter((n) => n.startsWith(prefix))
          .map(urlOf),
      }
    },
    async DeleteQueue(input) {
      await store.remove(queueOf(input))
      return {}
    },
    async PurgeQueue(input) {
      await store.purge(queueOf(input))
      return {}
    },
    GetQueueAttributes(input) {
      const name = queueOf(input)
      const wanted = (input.AttributeNames as string[] | undefined) ?? []
      const all = store.attributes(name)
      const picked = wanted.includes('All')
        ? all
        : Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)))
      return Object.keys(picked).length ? { Attributes: picked } : {}
    },
    async SetQueueAttributes(input) {
      const name = queueOf(input)
      await store.setAttributes(name, checkAttributes(store, input.Attributes))
      return {}
    },
    ListDeadLetterSourceQueues(input) {
      return { queueUrls: store.sourcesOf(queueOf(input)).map(urlOf) }
    },
    async SendMessage(input) {
      const name = queueOf(input)
      const body = str(input, 'MessageBody', true)
      checkBody(name, body)
      const delaySeconds = int(input, 'DelaySeconds', ATTRIBUTE_BOUNDS.DelaySeconds)
      const attributes = checkMessageAttributes(input.MessageAttributes)
      const [m] = await store.send(name, [
        {
          body,
          ...(delaySeconds !== undefined ? { delaySeconds } : {}),
          ...(attributes ? { attributes } : {}),
        },
      ])
      return {
        MessageId: m!.id,
        MD5OfMessageBody: m!.md5,
        ...(m!.md5OfAttributes ? { MD5OfMessageAttributes: m!.md5OfAttributes } : {}),
      }
    },
    async SendMessageBatch(input) {
      const name = queueOf(input)
      const entries = list(input, 'Entries')
      const total = entries.reduce(
        (n, e) => n + Buffer.byteLength(typeof e.MessageBody === 'string' ? e.MessageBody : ''),
        0,
      )
      if (total > MAX_BATCH_BYTES)
        throw new SqsError(
          'BatchRequestTooLong',
          `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
        )
      const failed: ReturnType<typeof batchFailure>[] = []
      const ok: {
        id: string
        body: string
        delaySeconds?: number
        attributes?: Record<string, MessageAttribute>
      }[] = []
      for (const e of entries) {
        try {
          const body = str(e, 'MessageBody', true)
          checkBody(name, body)
          const delaySeconds = int(e, 'DelaySeconds', ATTRIBUTE_BOUNDS.DelaySeconds)
          const attributes = checkMessageAttributes(e.MessageAttributes)
          ok.push({
            id: e.Id as string,
            body,
            ...(delaySeconds !== undefined ? { delaySeconds } : {}),
            ...(attributes ? { attributes } : {}),
          })
        } catch (err) {
          failed.push(batchFailure(e, err))
        }
      }
      const sent = await store.send(name, ok)
      return {
        Successful: sent.map((m, i) => ({
          Id: ok[i]!.id,
          MessageId: m.id,
          MD5OfMessageBody: m.md5,
          ...(m.md5OfAttributes ? { MD5OfMessageAttributes: m.md5OfAttributes } : {}),
        })),
        Failed: failed,
      }
    },
    async ReceiveMessage(input) {
      const name = queueOf(input)
      const max = int(input, 'MaxNumberOfMessages', [1, 10]) ?? 1
      const visibilityTimeout = int(input, 'VisibilityTimeout', ATTRIBUTE_BOUNDS.VisibilityTimeout)
      const waitSeconds = int(input, 'WaitTimeSeconds', ATTRIBUTE_BOUNDS.ReceiveMessageWaitTimeSeconds)
      const got = await store.receive(name, {
        max,
        ...(visibilityTimeout !== undefined ? { visibilityTimeout } : {}),
        ...(waitSeconds !== undefined ? { waitSeconds } : {}),
      })
      const wanted = wantedAttributes(input)
      const msgAttrs = (input.MessageAttributeNames as string[] | undefined) ?? []
      return { Messages: got.map((r) => shapeMessage(r, wanted, msgAttrs)) }
    },
    async DeleteMessage(input) {
      await store.delete(queueOf(input), [str(input, 'ReceiptHandle', true)])
      return {}
    },
    async DeleteMessageBatch(input) {
      const name = queueOf(input)
      const Successful: { Id: string }[] = []
      const Failed: ReturnType<typeof batchFailure>[] = []
      const handles: string[] = []
      for (const e of list(input, 'Entries')) {
        try {
          const handle = str(e, 'ReceiptHandle', true)
          store.checkReceipt(name, handle)
          handles.push(handle)
          Successful.push({ Id: e.Id as string })
        } catch (err) {
          Failed.push(batchFailure(e, err))
        }
      }
      await store.delete(name, handles)
      return { Successful, Failed }
    },
    async ChangeMessageVisibility(input) {
      const timeout = int(input, 'VisibilityTimeout', ATTRIBUTE_BOUNDS.VisibilityTimeout)
      if (timeout === undefined)
        throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.')
      await store.changeVisibility(queueOf(input), str(input, 'ReceiptHandle', true), timeout)
      return {}
    },
    async ChangeMessageVisibilityBatch(input) {
      const name = queueOf(input)
      const Successful: { Id: string }[] = []
      const Failed: ReturnType<typeof batchFailure>[] = []
      for (const e of list(input, 'Entries')) {
        try {
          const timeout = int(e, 'VisibilityTimeout', ATTRIBUTE_BOUNDS.VisibilityTimeout) ?? 0
          await store.changeVisibility(name, str(e, 'ReceiptHandle', true), timeout)
          Successful.push({ Id: e.Id as string })
        } catch (err) {
          Failed.push(batchFailure(e, err))
        }
      }
      return { Successful, Failed }
    },
    async StartMessageMoveTask(input) {
      const task = await store.startMoveTask(str(input, 'SourceArn', true), str(input, 'DestinationArn'))
      return { TaskHandle: task.TaskHandle }
    },
    ListMessageMoveTasks(input) {
      return { Results: store.moveTasks(str(input, 'SourceArn', true)) }
    },
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw invalid('Request too large.')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Creates the SQS endpoint server (not yet listening); `baseUrl` is how queue URLs begin. */
export function createSqsServer(opts: {
  store: QueueStore
  account: string
  baseUrl: () => string
  log?(line: string): void
}): Server {
  const ops = sqsOperations(opts.store, opts.baseUrl, opts.account)
  return createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
        ...headers,
      })
      res.end(text)
    }
    const target = String(req.headers['x-amz-target'] ?? '')
    const op = target.startsWith('AmazonSQS.') ? ops[target.slice('AmazonSQS.'.length)] : undefined
    try {
      if (req.method !== 'POST' || !op)
        throw new SqsError(
          'InvalidAction',
          `The action ${target || req.method} is not valid for this endpoint.`,
        )
      const text = await readBody(req, 2 * MAX_BATCH_BYTES)
      let input: unknown
      try {
        input = text ? JSON.parse(text) : {}
      } catch {
        throw new SqsError('SerializationException', 'The request body is not JSON.')
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new SqsError('SerializationException', 'The request body must be a JSON object.')
      send(200, await op(input as Input))
    } catch (err) {
      if (!(err instanceof SqsError)) {
        opts.log?.(`sqs: ${target} failed: ${(err as Error).stack ?? err}`)
        send(500, { __type: 'com.amazonaws.sqs#InternalError', message: (err as Error).message })
        return
      }
      send(err.status, { __type: `com.amazonaws.sqs#${err.code}`, message: err.message })
    }
  })
}
