/**
 * A service spread over several function stacks by the resource budget (`service/budget.ts`): the
 * fixture with a budget small enough to need several stacks, and the spread's stability.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import { describe, expect, it } from 'vitest'
import { functionWeight, planService, STACK_OVERHEAD } from '../../infra/lib/service/budget.js'
import { services } from '../../services/index.js'
import { assertServiceMatchesManifest, references, resources } from './assertions.js'
import { manifest as orders } from './fixtures/orders/src/service.js'
import { build, fixtureOutboxPublisher, fixtureQueuePublisher, fixtureServices } from './helpers.js'

const BUDGET = 40

describe('a service over several function stacks', () => {
  const built = build('prod', fixtureServices, {
    outboxPublisherEntry: fixtureOutboxPublisher,
    queuePublisherEntry: fixtureQueuePublisher,
    stackResourceBudget: BUDGET,
    versionReporting: true,
  })
  const [service] = built.services

  it('uses as many numbered stacks as the budget needs, each within it', () => {
    expect(service!.functionStacks.length).toBeGreaterThan(1)
    for (const stack of service!.functionStacks) {
      expect(stack.stackName).toMatch(/^crm-prod-orders-\d+$/)
      expect(Object.keys(resources(built.template(stack.stackName))).length).toBeLessThanOrEqual(BUDGET)
    }
  })

  it('still holds exactly what the manifest declares, each function once', () => {
    assertServiceMatchesManifest(built.service('orders'), 'prod', orders)
    const placed = [service!.data!, ...service!.functionStacks].flatMap((s) => [...s.functions.keys()])
    expect(placed.sort()).toEqual(Object.keys(orders.functions).sort())
  })

  it('lets no function stack import anything but the shared stack', () => {
    for (const stack of service!.functionStacks) {
      const refs = references(resources(built.template(stack.stackName)), {
        ids: new Set(),
        imports: [],
        strings: [],
      })
      for (const imported of refs.imports) expect(JSON.stringify(imported)).toContain('crm-prod-shared:')
    }
  })
})

describe('planService', () => {
  const grow = (m: ServiceManifest, n: number): ServiceManifest => {
    const functions = { ...m.functions }
    const routes = [...m.routes]
    for (let i = 0; i < n; i++) {
      functions[`added-${i}`] = { entry: 'handlers/added.ts' }
      routes.push({
        method: 'GET',
        path: `/added-${i}`,
        function: `added-${i}`,
        roles: 'public',
        summary: 'x',
      })
    }
    return { ...m, functions, routes }
  }

  it('rejects a function that alone passes the budget', () => {
    expect(() => planService(orders, 10)).toThrow(
      /function ".*" alone needs \d+ resources, over the stack budget of 9/,
    )
  })

  it('keeps every stack within budget for every registered service', () => {
    for (const { manifest } of services) {
      for (const [, fns] of planService(manifest).functionStacks) {
        const load = STACK_OVERHEAD + fns.reduce((sum, f) => sum + functionWeight(manifest, f), 0)
        expect(load, manifest.name).toBeLessThanOrEqual(400)
      }
    }
  })

  it('moves no function when functions are added, unless a stack is added, and then only to the new stack', () => {
    for (const { manifest } of services.filter((s) => Object.keys(s.manifest.functions).length > 0)) {
      const stackOf = (plan: ReturnType<typeof planService>) =>
        new Map([...plan.functionStacks].flatMap(([n, fns]) => fns.map((f) => [f, n] as const)))
      const before = planService(manifest)
      let previous = stackOf(before)
      let stacks = Math.max(...before.functionStacks.keys())
      for (let added = 10; added <= 60; added += 10) {
        const plan = planService(grow(manifest, added))
        const now = stackOf(plan)
        const highest = Math.max(...plan.functionStacks.keys())
        for (const [f, n] of previous) {
          const moved = now.get(f) !== n
          if (moved) expect(now.get(f), `${manifest.name}/${f}`).toBeGreaterThan(stacks)
        }
        previous = now
        stacks = highest
      }
    }
  })
})
