/**
 * Runs manifest functions in-process as Lambda would: dynamic import of `<root>/src/<entry>`,
 * `handler(event, context)` with a Lambda-like context and the function's timeout.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FunctionDef, ServiceManifest } from '@relay/core/manifest'
import { functionName } from '@relay/core/names'
import type { Context } from 'aws-lambda'

/** One service as the local runtime sees it: same shape as `RegisteredService` in services/index.ts. */
export interface LocalService {
  manifest: ServiceManifest
  /** Absolute path of the service folder (holds `src/`). */
  root: string
}

export const LOCAL_ACCOUNT = '000000000000'

/** Why an invocation failed, like Lambda's function error. */
export class InvocationError extends Error {
  constructor(
    message: string,
    readonly functionName: string,
    readonly kind: 'Handled' | 'Timeout' | 'NotFound',
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'InvocationError'
  }
}

export type Trigger = 'http' | 'event' | 'schedule'

export interface Invoker {
  /** Invokes `functionName` of `service` with `event`; rejects with the handler's error or a timeout. */
  invoke(service: string, functionName: string, event: unknown, trigger: Trigger): Promise<unknown>
  /** Physical function name `crm-<stage>-<service>-<fn>`. */
  physicalName(service: string, functionName: string): string
  /** The function definition, or undefined. */
  find(service: string, functionName: string): { service: LocalService; def: FunctionDef } | undefined
}

type Handler = (event: unknown, context: Context) => unknown

/** Builds the invoker for a stage and a set of services. Modules are imported once and cached. */
export function createInvoker(stage: string, services: readonly LocalService[]): Invoker {
  const byName = new Map(services.map((s) => [s.manifest.name, s]))
  const modules = new Map<string, Promise<Handler>>()

  const physicalName = (service: string, fn: string) => functionName(stage, service, fn)

  const find = (service: string, fn: string) => {
    const svc = byName.get(service)
    const def = svc?.manifest.functions[fn]
    return svc && def ? { service: svc, def } : undefined
  }

  const load = (svc: LocalService, def: FunctionDef, name: string): Promise<Handler> => {
    const file = join(svc.root, 'src', def.entry)
    let mod = modules.get(file)
    if (!mod) {
      mod = import(pathToFileURL(file).href).then((m: { handler?: unknown }) => {
        if (typeof m.handler !== 'function') {
          throw new InvocationError(`${file} does not export a handler function`, name, 'NotFound')
        }
        return m.handler as Handler
      })
      modules.set(file, mod)
      mod.catch(() => modules.delete(file))
    }
    return mod
  }

  const invoke: Invoker['invoke'] = async (service, fn, event, trigger) => {
    const name = physicalName(service, fn)
    const found = find(service, fn)
    if (!found) throw new InvocationError(`No function ${fn} in service ${service}`, name, 'NotFound')
    const handler = await load(found.service, found.def, name)
    const timeoutMs = (found.def.timeoutSeconds ?? (trigger === 'http' ? 10 : 30)) * 1000
    const deadline = Date.now() + timeoutMs
    const requestId = randomUUID()
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:${LOCAL_ACCOUNT}:function:${name}`,
      memoryLimitInMB: String(found.def.memoryMb ?? 256),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new InvocationError(`Task timed out after ${timeoutMs / 1000} seconds`, name, 'Timeout')),
        timeoutMs,
      )
      timer.unref()
    })
    try {
      return await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  return { invoke, physicalName, find }
}
