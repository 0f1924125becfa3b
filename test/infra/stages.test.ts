import { RemovalPolicy } from 'aws-cdk-lib'
import { describe, expect, it } from 'vitest'
import { resolveStage, STAGES } from '../../infra/lib/stages.js'

describe('resolveStage', () => {
  it('defaults to dev', () => {
    expect(resolveStage(undefined).name).toBe('dev')
  })

  it('knows exactly dev, staging and prod', () => {
    expect(STAGES).toEqual(['dev', 'staging', 'prod'])
    for (const s of STAGES) expect(resolveStage(s).name).toBe(s)
  })

  it('rejects an unknown stage with the allowed list', () => {
    expect(() => resolveStage('qa')).toThrow('Unknown stage "qa": use -c stage=<dev|staging|prod>')
    expect(() => resolveStage(42)).toThrow(/Unknown stage 42/)
  })

  it('retains and protects in prod, destroys in dev, keeps PITR everywhere', () => {
    // Act
    const [dev, staging, prod] = STAGES.map((s) => resolveStage(s))
    // Assess
    expect(prod).toMatchObject({
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      alarms: true,
    })
    expect(dev).toMatchObject({
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      alarms: false,
    })
    for (const s of [dev, staging, prod]) expect(s!.pointInTimeRecovery).toBe(true)
  })

  it('takes MAIL_FROM from context when given', () => {
    expect(resolveStage('dev', { mailFrom: 'crm@acme.test' }).mailFrom).toBe('crm@acme.test')
    expect(resolveStage('dev').mailFrom).toMatch(/@/)
  })
})
