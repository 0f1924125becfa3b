/**
 * Web-to-lead and assignment: the pure rules (form mapping, honeypot, team choice, round-robin,
 * lowest load) and the public capture handler against a faked DynamoDB.
 */
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { Form, LeadAssignment } from '@relay/contracts/leads'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { lowestLoadMember, pickTeam, roundRobinMember } from '../src/domain/assignment.js'
import { buildForm, formProblems, mapSubmission } from '../src/domain/forms.js'
import { addEngagement, buildLead } from '../src/domain/lead.js'
import { handler as createLead } from '../src/handlers/create-lead.js'
import { handler as submitForm } from '../src/handlers/submit-form.js'
import { context, httpEvent, parse } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const FORM_ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TF'
const NOW = '2026-11-01T10:00:00.000Z'
const KEY = 'k3y-of-the-form'

beforeAll(() => {
  process.env.PIPELINE_MAIN_TABLE = 'crm-test-pipeline-main'
})
afterEach(() => {
  ddb.reset()
})

const form = (over: Partial<Form> = {}): Form => ({
  ...buildForm(
    {
      name: 'Contact us',
      fields: [
        { name: 'full_name', maps: 'lastName', required: true },
        { name: 'work_email', maps: 'email' },
        { name: 'staff', maps: 'employees' },
        { name: 'country', maps: 'country' },
      ],
      campaign: 'Autumn webinar',
      honeypotField: 'website',
    },
    { id: FORM_ID, userId: 'u-manager', now: NOW, publicKey: KEY },
  ),
  ...over,
})

const ASSIGNMENT: LeadAssignment = {
  teams: [
    { id: 'emea', strategy: 'round_robin', members: ['u-ana', 'u-ben', 'u-cy'] },
    { id: 'apac', strategy: 'lowest_load', members: ['u-chen', 'u-dao'] },
  ],
  rules: [
    { field: 'country', values: ['GB', 'FR'], team: 'emea' },
    { field: 'territory', values: ['apac'], team: 'apac' },
  ],
  version: 1,
}

describe('web-to-lead forms (domain)', () => {
  it('maps posted fields onto a lead with the form source and campaign', () => {
    const out = mapSubmission(form(), {
      full_name: 'Nguyễn',
      work_email: ' LAN@Example.vn ',
      staff: '250',
      country: 'gb',
      submit: 'Send',
    })
    expect(out).toEqual({
      kind: 'lead',
      input: {
        lastName: 'Nguyễn',
        email: 'lan@example.vn',
        employees: 250,
        country: 'GB',
        source: 'web',
        campaign: 'Autumn webinar',
      },
    })
  })

  it('names the form fields in problems: missing required and invalid values', () => {
    expect(mapSubmission(form(), { work_email: 'a@b.co' })).toMatchObject({
      kind: 'invalid',
      problems: [{ field: 'full_name', code: 'required' }],
    })
    const bad = mapSubmission(form(), { full_name: 'Lee', work_email: 'not-an-email' })
    expect(bad.kind).toBe('invalid')
    expect(bad.kind === 'invalid' && bad.problems.map((p) => p.field)).toEqual(['work_email'])
  })

  it('a filled honeypot is a bot, an empty one is not', () => {
    expect(mapSubmission(form(), { full_name: 'Lee', website: 'http://spam' })).toEqual({ kind: 'honeypot' })
    expect(mapSubmission(form(), { full_name: 'Lee', website: '' }).kind).toBe('lead')
  })

  it('rejects a form that fills a lead field twice or maps its honeypot', () => {
    const problems = formProblems({
      name: 'x',
      fields: [
        { name: 'a', maps: 'email' },
        { name: 'b', maps: 'email' },
      ],
      honeypotField: 'a',
    })
    expect(problems.map((p) => p.code)).toEqual(['duplicate', 'honeypot_mapped'])
  })
})

describe('assignment (domain)', () => {
  it('the first matching rule picks the team, case-insensitively; no match and no default → none', () => {
    expect(pickTeam({ country: 'FR' }, ASSIGNMENT)).toMatchObject({ team: { id: 'emea' }, ruleIndex: 0 })
    expect(pickTeam({ country: 'JP', territory: 'APAC' }, ASSIGNMENT)).toMatchObject({
      team: { id: 'apac' },
      ruleIndex: 1,
    })
    expect(pickTeam({ country: 'JP' }, ASSIGNMENT)).toBeUndefined()
    expect(pickTeam({ country: 'JP' }, { ...ASSIGNMENT, defaultTeam: 'apac' })).toEqual({
      team: ASSIGNMENT.teams[1],
    })
  })

  it('round-robin spreads any run of consecutive turns evenly', () => {
    const members = ['a', 'b', 'c']
    const counts = new Map<string, number>()
    for (let n = 7; n < 7 + 30; n++) {
      const m = roundRobinMember(members, n)
      counts.set(m, (counts.get(m) ?? 0) + 1)
    }
    expect([...counts.values()]).toEqual([10, 10, 10])
  })

  it('lowest load picks the member with fewest open leads, ties to the first listed', () => {
    expect(
      lowestLoadMember(
        ['a', 'b', 'c'],
        new Map([
          ['a', 3],
          ['b', 1],
          ['c', 1],
        ]),
      ),
    ).toBe('b')
    expect(lowestLoadMember(['a', 'b'], new Map())).toBe('a')
  })

  it('score is fit + engagement, capped at 100', () => {
    const lead = buildLead(
      { lastName: 'Lee', source: 'referral' },
      {
        id: 'L1',
        userId: 'u',
        now: NOW,
        rules: [{ field: 'source', operator: 'eq', value: 'referral', points: 60 }],
      },
    )
    expect(lead).toMatchObject({ score: 60, fitScore: 60 })
    const engaged = addEngagement(lead, 25, NOW)
    expect(engaged).toMatchObject({ score: 85, fitScore: 60, engagementScore: 25, version: 2 })
    expect(addEngagement(engaged, 30, NOW)).toMatchObject({ score: 100, engagementScore: 55 })
  })
})

describe('POST /public/forms/{formId}/submissions (handler)', () => {
  const submit = (body: unknown, key: string | null = KEY) =>
    submitForm(
      httpEvent({
        method: 'POST',
        path: `/public/forms/${FORM_ID}/submissions`,
        params: { formId: FORM_ID },
        body,
        ...(key !== null ? { headers: { 'x-form-key': key } } : {}),
      }),
      context,
    ).then(parse)

  const knownForm = (f: Form = form()) => {
    ddb.on(GetCommand).resolves({})
    ddb
      .on(GetCommand, { Key: { pk: `FORMREF#${FORM_ID}`, sk: 'FORMREF' } })
      .resolves({ Item: { tenantId: 'acme' } })
    ddb.on(GetCommand, { Key: { pk: `T#acme#FORM#${FORM_ID}`, sk: 'FORM' } }).resolves({ Item: f })
    ddb.on(UpdateCommand).resolves({ Attributes: { n: 1 } })
    ddb.on(TransactWriteCommand).resolves({})
  }
  const outbox = () =>
    ddb
      .commandCalls(TransactWriteCommand)
      .flatMap((c) => c.args[0].input.TransactItems ?? [])
      .map((i) => i.Put?.Item as Record<string, any> | undefined)
      .filter((i) => i?.kind === 'outbox')

  it('creates the lead in the form tenant with source and campaign; answers only its id', async () => {
    // Prepare
    knownForm()
    // Act
    const res = await submit({ full_name: 'Lee', work_email: 'lee@example.com' })
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    expect(Object.keys(res.body).sort()).toEqual(['leadId', 'status'])
    const [created] = outbox()
    expect(created?.detailType).toBe('Lead.Created')
    expect(created?.detail.tenantId).toBe('acme')
    expect(created?.detail.data).toMatchObject({
      id: res.body.leadId,
      lastName: 'Lee',
      source: 'web',
      campaign: 'Autumn webinar',
      ownerId: 'u-manager',
      formId: FORM_ID,
    })
  })

  it('an unknown form → 404; a wrong or missing key → 401; nothing written', async () => {
    ddb.on(GetCommand).resolves({})
    expect((await submit({ full_name: 'Lee' })).status).toBe(404)
    ddb.reset()
    knownForm()
    expect((await submit({ full_name: 'Lee' }, 'wrong')).status).toBe(401)
    expect((await submit({ full_name: 'Lee' }, null)).status).toBe(401)
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
  })

  it('a filled honeypot → 202 like a success, but nothing stored', async () => {
    knownForm()
    const res = await submit({ full_name: 'Bot', website: 'http://spam.example' })
    expect(res.status).toBe(202)
    expect(res.body.leadId).toMatch(/^[0-9A-Z]{26}$/)
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
  })

  it('over the per-form limit → 429 problem, nothing stored', async () => {
    knownForm()
    ddb.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    )
    const res = await submit({ full_name: 'Lee' })
    expect(res.status).toBe(429)
    expect(res.headers['content-type']).toContain('application/problem+json')
    // Retry-After: the seconds left in the form's one-minute window.
    const retryAfter = Number(res.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0)
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
      ExpressionAttributeValues: expect.objectContaining({ ':limit': 30 }),
    })
  })

  it('invalid mapped fields → 400 naming the form fields', async () => {
    knownForm()
    const res = await submit({ work_email: 'nope' })
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['full_name'])
  })
})

describe('POST /leads with assignment rules (handler)', () => {
  it('a matching round-robin team gives the owner of the turn; Lead.Assigned with Lead.Created', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb
      .on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'LEAD_ASSIGNMENT' } })
      .resolves({ Item: ASSIGNMENT })
    ddb.on(UpdateCommand).resolves({ Attributes: { n: 5 } })
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    const res = parse(
      await createLead(
        httpEvent({
          method: 'POST',
          path: '/leads',
          body: { lastName: 'Lee', country: 'GB', source: 'web' },
        }),
        context,
      ),
    )
    // Assess: turn 5 of 3 members → the second
    expect(res.status).toBe(201)
    expect(res.body.ownerId).toBe('u-ben')
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []
    const types = items.map((i) => (i.Put?.Item as any)?.detailType).filter(Boolean)
    expect(types).toEqual(['Lead.Created', 'Lead.Assigned'])
  })

  it('lowest load counts each member open leads; an explicit owner skips the rules', async () => {
    ddb.on(GetCommand).resolves({})
    ddb
      .on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'LEAD_ASSIGNMENT' } })
      .resolves({ Item: ASSIGNMENT })
    ddb.on(QueryCommand).callsFake((input) => ({
      Count: input.ExpressionAttributeValues[':pk'] === 'T#acme#LEADS#OWNER#u-dao' ? 1 : 4,
    }))
    ddb.on(TransactWriteCommand).resolves({})
    const lead = (body: object) =>
      createLead(httpEvent({ method: 'POST', path: '/leads', body }), context).then(parse)
    expect((await lead({ lastName: 'Lee', territory: 'APAC', source: 'web' })).body.ownerId).toBe('u-dao')
    const own = await lead({ lastName: 'Lee', territory: 'APAC', source: 'web', ownerId: 'u-me' })
    expect(own.body.ownerId).toBe('u-me')
  })
})
