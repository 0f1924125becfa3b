/**
 * DynamoDB Local lifecycle: fetch the emulator once (from a pinned npm package, integrity-checked),
 * start it on a free port, wait until it answers, stop it; and create every manifest table.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { physicalTableName, type ServiceManifest } from '@relay/core/manifest'
import { repoRoot } from './paths.js'

const execFileAsync = promisify(execFile)

/** The npm package whose `emulator/` folder is AWS's DynamoDB Local 1.25.1. Bump all three together. */
export const DYNAMODB_LOCAL_PACKAGE = { name: 'amplify-dynamodb-simulator', version: '2.9.30' } as const
/** npm's recorded integrity of the package tarball. */
const TARBALL_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ=='
/** sha256 of DynamoDBLocal.jar itself (the package's `emulator/sha256` is of AWS's zip, not the jar). */
const JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7'

/** Fake but well-formed credentials: DynamoDB Local checks their shape, never their value. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const
export const LOCAL_REGION = 'us-east-1'

/** Something that carries a manifest (e.g. a `RegisteredService` of services/index.ts). */
export interface ManifestHolder {
  manifest: ServiceManifest
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Makes sure DynamoDB Local is in the cache and returns the folder holding `DynamoDBLocal.jar`.
 * Safe to call from several processes at once: one fetches under a lock directory, the others wait;
 * the finished folder appears by an atomic rename, so a half-extracted folder is never seen.
 *
 * @param cacheDir defaults to `<repo>/.cache/dynamodb-local`
 */
export async function ensureDynamoDbLocal(
  cacheDir = join(repoRoot, '.cache', 'dynamodb-local'),
): Promise<string> {
  const finalDir = join(cacheDir, DYNAMODB_LOCAL_PACKAGE.version)
  const jar = join(finalDir, 'DynamoDBLocal.jar')
  if (existsSync(jar)) return finalDir
  await mkdir(cacheDir, { recursive: true })
  const lockDir = join(cacheDir, `${DYNAMODB_LOCAL_PACKAGE.version}.lock`)
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    try {
      await mkdir(lockDir)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (existsSync(jar)) return finalDir
      // A holder that died leaves its lock behind: break it once it is clearly stale.
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if (age > 5 * 60_000) await rm(lockDir, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (remove it if stale)`)
      await sleep(250)
    }
  }
  const work = join(cacheDir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    if (existsSync(jar)) return finalDir
    await mkdir(work, { recursive: true })
    const spec = `${DYNAMODB_LOCAL_PACKAGE.name}@${DYNAMODB_LOCAL_PACKAGE.version}`
    // Only this package's tarball: `npm pack` fetches no dependency tree and runs no scripts.
    await execFileAsync('npm', ['pack', spec, '--pack-destination', work, '--ignore-scripts', '--silent'], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    })
    const tgz = join(work, `${DYNAMODB_LOCAL_PACKAGE.name}-${DYNAMODB_LOCAL_PACKAGE.version}.tgz`)
    const integrity = `sha512-${createHash('sha512')
      .update(await readFile(tgz))
      .digest('base64')}`
    if (integrity !== TARBALL_INTEGRITY) {
      throw new Error(
        `${spec}: tarball integrity ${integrity} does not match the recorded ${TARBALL_INTEGRITY}`,
      )
    }
    await execFileAsync('tar', ['-xzf', tgz, '-C', work, 'package/emulator/'])
    const extracted = join(work, 'package', 'emulator')
    const jarHash = await sha256File(join(extracted, 'DynamoDBLocal.jar'))
    if (jarHash !== JAR_SHA256) {
      throw new Error(`DynamoDBLocal.jar sha256 ${jarHash} does not match the recorded ${JAR_SHA256}`)
    }
    await rename(extracted, finalDir)
    return finalDir
  } finally {
    await rm(work, { recursive: true, force: true })
    await rm(lockDir, { recursive: true, force: true })
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A low-level DynamoDB client for a local endpoint (fake credentials, no retries to speak of). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  })
}

export interface StartDynamoDbLocalOptions {
  /** 0 or undefined → a free port. */
  port?: number
  /** Keep data in memory only (default true unless `dbPath` is given). */
  inMemory?: boolean
  /** Folder for the database file (`-sharedDb`), created if missing. */
  dbPath?: string
  /** Print the emulator's output. */
  verbose?: boolean
  /** Give up waiting for it after this long (default 60 s). */
  startTimeoutMs?: number
}

export interface DynamoDbLocal {
  endpoint: string
  port: number
  process: ChildProcess
  /** Stops the emulator (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>
}

/**
 * Runs the emulator under a small shell that kills it when our stdin pipe closes: if Node dies
 * without stopping it (SIGKILL, crash, a killed test run), no Java process is left behind.
 * SIGTERM to the shell stops the emulator too.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$@" &',
  'pid=$!',
  "trap 'kill $pid 2>/dev/null' TERM INT",
  '(cat <&3 >/dev/null; kill $pid 2>/dev/null) &',
  'wait $pid',
  'wait $pid',
].join('\n')

const running = new Set<ChildProcess>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Never leave a Java process behind when Node goes away.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/**
 * Starts DynamoDB Local (Java 17+) and resolves once `ListTables` answers.
 *
 * @example
 * const ddb = await startDynamoDbLocal({ inMemory: true })
 * process.env.DYNAMODB_ENDPOINT = ddb.endpoint
 * await ddb.stop()
 */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const dir = await ensureDynamoDbLocal()
  let lastError: unknown
  // A free port can be taken between probing and Java binding it: try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port || (await freePort())
    try {
      return await launch(dir, port, options)
    } catch (err) {
      lastError = err
      if (options.port) break
    }
  }
  throw lastError
}

async function launch(dir: string, port: number, options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
  ]
  const inMemory = options.inMemory ?? !options.dbPath
  // -sharedDb: one database whatever credentials/region a client uses (workers may differ).
  if (inMemory) args.push('-inMemory', '-sharedDb')
  else {
    const dbPath = options.dbPath ?? join(repoRoot, '.relay', 'dynamodb')
    await mkdir(dbPath, { recursive: true })
    args.push('-dbPath', dbPath, '-sharedDb')
  }
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', java, ...args], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches Node, which stops the runtime in order
    // (bus drained first), instead of killing DynamoDB Local under deliveries still running.
    detached: true,
  })
  running.add(child)
  installExitHook()
  let output = ''
  const collect = (chunk: Buffer) => {
    if (options.verbose) process.stderr.write(chunk)
    if (output.length < 20_000) output += chunk.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true
      running.delete(child)
      resolve()
    })
    child.once('error', (err) => {
      output += String(err)
      exited = true
      running.delete(child)
      resolve()
    })
  })
  const endpoint = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (exited) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exitPromise
    clearTimeout(timer)
  }
  const client = localDynamoDbClient(endpoint)
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000)
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local exited during start-up:\n${output.trim()}`)
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        break
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}:\n${output}`)
        await sleep(100)
      }
    }
  } catch (err) {
    await stop()
    throw err
  } finally {
    client.destroy()
  }
  return { endpoint, port, process: child, stop }
}

/** The CreateTable input of one manifest table (pk/sk strings, GSIs projecting ALL, stream when outbox). */
export function tableInput(
  stage: string,
  service: string,
  table: string,
  def: ServiceManifest['tables'][string],
): CreateTableCommandInput {
  const attributes = new Set<string>([def.partitionKey])
  if (def.sortKey) attributes.add(def.sortKey)
  for (const gsi of def.gsis ?? []) {
    attributes.add(gsi.partitionKey)
    if (gsi.sortKey) attributes.add(gsi.sortKey)
  }
  const keySchema = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ]
  return {
    TableName: physicalTableName(stage, service, table),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(def.gsis?.length
      ? {
          GlobalSecondaryIndexes: def.gsis.map((gsi) => ({
            IndexName: gsi.name,
            KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(def.outbox
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
      : {}),
  }
}

/**
 * Creates every table of every manifest for a stage. Idempotent: a table that already exists is left
 * as it is. Returns the physical names.
 */
export async function createTables(
  stage: string,
  services: readonly ManifestHolder[],
  options: { endpoint?: string; client?: DynamoDBClient } = {},
): Promise<string[]> {
  const endpoint = options.endpoint ?? process.env.DYNAMODB_ENDPOINT
  if (!options.client && !endpoint)
    throw new Error('createTables: no DynamoDB endpoint (set DYNAMODB_ENDPOINT)')
  const client = options.client ?? localDynamoDbClient(endpoint!)
  try {
    const jobs = services.flatMap(({ manifest }) =>
      Object.entries(manifest.tables).map(async ([table, def]) => {
        const input = tableInput(stage, manifest.name, table, def)
        try {
          await client.send(new CreateTableCommand(input))
        } catch (err) {
          if ((err as Error).name === 'ResourceInUseException') return input.TableName!
          throw err
        }
        if (def.ttl) {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: input.TableName,
              TimeToLiveSpecification: { AttributeName: def.ttl, Enabled: true },
            }),
          )
        }
        return input.TableName!
      }),
    )
    return await Promise.all(jobs)
  } finally {
    if (!options.client) client.destroy()
  }
}
