/**
 * Which stack each function of a service goes to. CloudFormation allows 500 resources per stack;
 * a service's functions are spread over as many function stacks as keep each under
 * {@link STACK_RESOURCE_BUDGET}, counting what each function brings (its routes, rules, queues,
 * alarms).
 *
 * A function's stack is chosen by rendezvous hashing over (service, function, stack number): it
 * depends only on the function's name and the service's number of stacks, never on the other
 * functions or on manifest order. So adding routes or functions moves nothing, and when a service
 * needs one more stack, only the functions that now hash to the new stack move there. A move
 * recreates the function under the same name, which is why function stacks deploy one after the
 * other (see `crm-app.ts`).
 */
import { createHash } from 'node:crypto'
import type { ServiceManifest } from '@relay/core/manifest'

/** Resources a function stack may hold: 50 below the registry test's 450, 100 below CloudFormation's 500. */
export const STACK_RESOURCE_BUDGET = 400
/** `AWS::CDK::Metadata`, which the CDK CLI adds to every stack. */
export const STACK_OVERHEAD = 1
/** Stack counts tried before giving up (only a pathological manifest gets near it). */
const MAX_STACKS = 1000

/**
 * Resources the function `name` brings to its stack, alarms included (staging and prod have them;
 * every stage gets the same layout). Kept equal to what the modules build by a test that compares
 * it with every synthesized stack.
 */
export function functionWeight(m: ServiceManifest, name: string): number {
  const routes = m.routes.filter((r) => r.function === name).length
  const rules = [...m.subscriptions, ...m.schedules].filter((s) => s.function === name).length
  const consumes = Object.values(m.queues ?? {}).filter((q) => q.consumer === name).length
  const objectTarget = (m.objectTriggers ?? []).some((t) => t.function === name)
  // Log group, role, its policy, the function, its alarm.
  let n = 5
  // Async on-failure queue, its policy, its depth alarm, the EventInvokeConfig.
  if (rules > 0 || objectTarget) n += 4
  // One integration per function; a route and its invoke permission each.
  if (routes > 0) n += 1 + 2 * routes
  // Rule, its dead-letter queue, the queue's policy, its depth alarm, the invoke permission.
  n += 5 * rules
  // One SQS event source mapping per consumed queue.
  n += consumes
  // The S3 invoke permission of each trigger on it.
  n += (m.objectTriggers ?? []).filter((t) => t.function === name).length
  return n
}

export interface ServicePlan {
  /** Functions that live in the data stack: object trigger targets (S3 checks the target exists when the bucket's notification is set). */
  dataFunctions: string[]
  /** Function stack number (from 1) → its functions; numbers without functions are absent. */
  functionStacks: Map<number, string[]>
}

/**
 * @throws Error when one function alone passes the budget.
 * @example planService(manifest).functionStacks // Map { 1 => ['create-contact', ...], 2 => [...] }
 */
export function planService(m: ServiceManifest, budget = STACK_RESOURCE_BUDGET): ServicePlan {
  const dataFunctions = Object.keys(m.functions).filter((f) =>
    (m.objectTriggers ?? []).some((t) => t.function === f),
  )
  const packed = Object.keys(m.functions).filter((f) => !dataFunctions.includes(f))
  const room = budget - STACK_OVERHEAD
  const weights = new Map(packed.map((f) => [f, functionWeight(m, f)]))
  for (const [f, w] of weights) {
    if (w > room)
      throw new Error(
        `Service manifest ${m.name}: function "${f}" alone needs ${w} resources, over the stack budget of ${room}; split its routes over more functions`,
      )
  }
  const total = [...weights.values()].reduce((a, b) => a + b, 0)
  for (let n = Math.max(1, Math.ceil(total / room)); n <= MAX_STACKS; n++) {
    const stacks = new Map<number, string[]>()
    const load = new Map<number, number>()
    for (const f of packed) {
      const i = rendezvous(m.name, f, n)
      stacks.set(i, [...(stacks.get(i) ?? []), f])
      load.set(i, (load.get(i) ?? 0) + weights.get(f)!)
    }
    if ([...load.values()].every((l) => l <= room)) {
      return { dataFunctions, functionStacks: new Map([...stacks].sort(([a], [b]) => a - b)) }
    }
  }
  throw new Error(`Service manifest ${m.name}: no spread over ${MAX_STACKS} stacks fits the budget`)
}

/** The stack number (1..n) with the highest hash for this function. */
function rendezvous(service: string, fn: string, n: number): number {
  let best = 1
  let bestScore = -1
  for (let i = 1; i <= n; i++) {
    const score = createHash('sha256').update(`${service}/${fn}#${i}`).digest().readUInt32BE(0)
    if (score > bestScore) {
      best = i
      bestScore = score
    }
  }
  return best
}
