/**
 * The commands behind `npm start` and `npm run token`. The registry of services is handed in by the
 * caller (`services/local.ts`), so this package never imports `services/`:
 *
 * `start [--port N] [--demo] [--reset] [--in-memory] [--quiet] [--stage s] [--data-dir d] [--dynamodb-endpoint url]`
 * `token --tenant <id> --role <role> [--role ...] [--user <id>]` → prints a dev token.
 */
import { parseArgs } from 'node:util'
import { ROLES } from '@relay/core/manifest'
import type { LocalService } from './invoke.js'
import { startLocal } from './runtime.js'
import { mintDevToken } from './tokens.js'

const USAGE = `Usage:
  npm start -- [--port <n>] [--demo] [--reset] [--in-memory] [--quiet] [--stage <s>] [--data-dir <dir>] [--dynamodb-endpoint <url>]
  npm run token -- --tenant <id> --role <role> [--role <role> ...] [--user <id>]
Roles: ${ROLES.join(', ')}`

export interface CliRegistry {
  services: readonly LocalService[]
}

async function start(argv: string[], registry: CliRegistry): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      demo: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      'in-memory': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      stage: { type: 'string' },
      'data-dir': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
    },
  })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new Error(`--port must be a port number, got ${values.port}`)
  }
  const runtime = await startLocal({
    services: registry.services,
    ...(port !== undefined ? { port } : {}),
    ...(values.stage ? { stage: values.stage } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['dynamodb-endpoint'] ? { dynamodbEndpoint: values['dynamodb-endpoint'] } : {}),
    demo: values.demo,
    reset: values.reset,
    inMemory: values['in-memory'],
    quiet: values.quiet,
  })
  // In order: requests in flight finish, the bus drains (bounded), DynamoDB Local stops last. A
  // second Ctrl-C exits at once (what the bus had not delivered is journaled for the next start);
  // one within a second of the first is the same Ctrl-C relayed again by npm and tsx, not a second.
  let stoppingSince: number | undefined
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < 1000) return
      console.log(`${signal} again: exiting now`)
      process.exit(130)
    }
    stoppingSince = Date.now()
    console.log(`\n${signal}: stopping (requests in flight, then the bus, then DynamoDB Local)…`)
    runtime.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))

  const token = await runtime.token('demo', ['admin'], 'u-demo-admin')
  const routes = runtime.services.flatMap((s) =>
    s.manifest.routes.map((r) => `${r.method.padEnd(6)} ${r.path}`),
  )
  console.log(`
Relay CRM local runtime (stage "${runtime.stage}") is up.

  API        ${runtime.url}
  DynamoDB   ${runtime.dynamodbEndpoint}
  EventBridge ${runtime.eventsEndpoint}
  SES        ${runtime.sesEndpoint}
  S3         ${runtime.s3Endpoint}
  Data       ${runtime.dataDir}

Try it (admin of tenant "demo", token valid 12 h):
  curl -s ${runtime.url}/contacts -H 'authorization: Bearer ${token}'

Another token:  npm run token -- --tenant acme --role sales [--role manager] [--user u-1]

Routes (${routes.length}):
${routes.map((r) => `  ${r}`).join('\n') || '  (none yet)'}

Local-only:
  GET  ${runtime.url}/_local/mail                    mail sent through SES
  GET  ${runtime.url}/_local/mail/{id}               one message
  GET  ${runtime.url}/_local/events                  last 1000 events on the bus
  GET  ${runtime.url}/_local/dead-letters            deliveries that kept failing
  POST ${runtime.url}/_local/dead-letters/redrive    deliver them again ({"ids": [...]} or all)
  GET  ${runtime.url}/_local/schedules               schedules and their next run
  POST ${runtime.url}/_local/schedules/{service}/{name}  run one now

Ctrl-C stops everything.
`)
}

async function token(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      user: { type: 'string' },
    },
  })
  const roles = values.role ?? []
  if (!values.tenant || roles.length === 0)
    throw new Error(`--tenant and at least one --role are required\n${USAGE}`)
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r))
  if (unknown.length) throw new Error(`Unknown role(s): ${unknown.join(', ')}. Roles: ${ROLES.join(', ')}`)
  console.log(
    await mintDevToken({ tenant: values.tenant, roles, ...(values.user ? { user: values.user } : {}) }),
  )
}

const commands: Record<string, (argv: string[], registry: CliRegistry) => Promise<void>> = { start, token }

/**
 * Runs one command; exits the process on a usage error or a failure.
 *
 * @example
 * // services/local.ts
 * runCli(process.argv.slice(2), { services })
 */
export function runCli(argv: readonly string[], registry: CliRegistry): void {
  const [command, ...rest] = argv
  const run = command ? commands[command] : undefined
  if (!run) {
    console.error(USAGE)
    process.exit(2)
  }
  run(rest, registry).catch((err) => {
    console.error(`error: ${(err as Error).message}`)
    process.exit(1)
  })
}
