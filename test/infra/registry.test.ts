/**
 * The real app: every registered service manifest, in dev and prod. Generic on purpose: whatever
 * the manifests declare (they grow while the team works), the stacks must contain exactly that,
 * and no stack may come near CloudFormation's 500 resources.
 */
import { functionStackName, serviceStackName } from '@relay/core/names'
import { describe, expect, it } from 'vitest'
import { isEmpty } from '../../infra/lib/crm-app.js'
import { functionWeight, STACK_OVERHEAD } from '../../infra/lib/service/budget.js'
import { services } from '../../services/index.js'
import { assertRuntime, assertServiceMatchesManifest, references, resources } from './assertions.js'
import { build } from './helpers.js'

/** The registry's limit: 50 below CloudFormation's 500, so a growing service splits before it fails a deploy. */
const MAX_RESOURCES_PER_STACK = 450

describe.each(['dev', 'prod'] as const)('registered services in %s', (stage) => {
  // Version reporting on, as the CDK CLI does: every template then carries its AWS::CDK::Metadata.
  const built = build(stage, services, { versionReporting: true })
  const deployable = services.filter((s) => !isEmpty(s.manifest))

  it('has the shared stack, and per service with tables or functions a data stack and numbered function stacks', () => {
    expect(built.shared.stackName).toBe(`crm-${stage}-shared`)
    expect(built.services.map((s) => s.manifest.name)).toEqual(deployable.map((s) => s.manifest.name))
    for (const s of built.services) {
      expect(s.data?.stackName ?? serviceStackName(stage, s.manifest.name)).toBe(
        `crm-${stage}-${s.manifest.name}`,
      )
      for (const f of s.functionStacks)
        expect(f.stackName).toMatch(
          new RegExp(`^${functionStackName(stage, s.manifest.name, 0).slice(0, -1)}\\d+$`),
        )
    }
  })

  it.each(deployable.map((s) => [s.manifest.name, s.manifest] as const))(
    '%s matches its manifest',
    (name, m) => {
      assertServiceMatchesManifest(built.service(name), stage, m)
    },
  )

  it('runs every function on nodejs22.x / arm64', () => {
    for (const s of built.stacks) assertRuntime(built.template(s.stackName))
  })

  it('never lets a service stack import anything but the shared stack (a service addresses its own data by name)', () => {
    for (const s of built.services.flatMap((x) => x.stacks)) {
      const refs = references(resources(built.template(s.stackName)), {
        ids: new Set(),
        imports: [],
        strings: [],
      })
      for (const imported of refs.imports)
        expect(JSON.stringify(imported), s.stackName).toContain(`crm-${stage}-shared:`)
    }
  })

  it(`keeps every stack at or under ${MAX_RESOURCES_PER_STACK} resources`, () => {
    const counts = built.stacks.map((s) => [
      s.stackName,
      Object.keys(resources(built.template(s.stackName))).length,
    ])
    for (const [name, count] of counts)
      expect(count, `${name} resources`).toBeLessThanOrEqual(MAX_RESOURCES_PER_STACK)
  })

  it('counts each function stack exactly as the budget does (prod has every alarm it counts)', () => {
    for (const s of built.services) {
      for (const stack of s.functionStacks) {
        const estimate =
          STACK_OVERHEAD +
          [...stack.functions.keys()].reduce((sum, f) => sum + functionWeight(s.manifest, f), 0)
        const actual = Object.keys(resources(built.template(stack.stackName))).length
        if (stage === 'prod') expect(actual, stack.stackName).toBe(estimate)
        else expect(actual, stack.stackName).toBeLessThanOrEqual(estimate)
      }
    }
  })

  it('deploys a service stack by stack: shared, then data, then each function stack after the one before', () => {
    for (const s of built.services) {
      for (const [i, stack] of s.stacks.entries()) {
        const deps = stack.dependencies.map((d) => d.stackName)
        expect(deps, stack.stackName).toContain(built.shared.stackName)
        if (i > 0) expect(deps, stack.stackName).toContain(s.stacks[i - 1]!.stackName)
      }
    }
  })
})
