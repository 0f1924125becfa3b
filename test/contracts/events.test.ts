import { ContactCreated } from '@relay/contracts/contacts-events'
import { envelopeSchema } from '@relay/contracts/event-contract'
import { catalogueJson, EVENT_CATALOGUE, eventsOfServices } from '@relay/contracts/events'
import { describe, expect, it } from 'vitest'
import { buildContact } from '../../services/contacts/src/domain/contact.js'
import { manifest as contacts } from '../../services/contacts/src/service.js'
import { services } from '../../services/index.js'

describe('event catalogue', () => {
  it('names every event crm.<service> / <Entity>.<PastTense> with a version', () => {
    for (const e of EVENT_CATALOGUE) {
      expect(e.source).toMatch(/^crm\.[a-z-]+$/)
      expect(e.detailType).toMatch(/^[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+$/)
      expect(Number.isInteger(e.version) && e.version >= 1).toBe(true)
    }
  })

  it('is what the contacts manifest publishes', () => {
    const published = eventsOfServices([{ manifest: contacts }]).map((e) => `${e.detailType}@${e.version}`)
    const catalogued = EVENT_CATALOGUE.filter((e) => e.source === contacts.source).map(
      (e) => `${e.detailType}@${e.version}`,
    )
    expect(published.sort()).toEqual(catalogued.sort())
  })

  it('lists business events only: no service follows its own events (its internal work goes through queues)', () => {
    for (const { manifest } of services) {
      for (const sub of manifest.subscriptions) {
        expect(JSON.stringify(sub.pattern), `${manifest.name} ${sub.name}`).not.toContain(
          `"${manifest.source}"`,
        )
      }
    }
    const detailTypes = EVENT_CATALOGUE.map((e) => e.detailType)
    for (const internal of [
      'ContactImport.Requested',
      'ContactImport.ChunkRequested',
      'ContactExport.Requested',
    ])
      expect(detailTypes).not.toContain(internal)
  })

  it('turns into JSON Schema (2020-12) with fixed source and detail-type, open for additive fields', () => {
    // Act
    const all = catalogueJson(eventsOfServices(services))
    // Assess
    expect(all.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['Contact.Created', 'Contact.Deleted']),
    )
    for (const entry of all) {
      const s = entry.schema as {
        $schema: string
        properties: Record<string, { const?: string; required?: string[] }>
      }
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(s.properties.source?.const).toBe(entry.source)
      expect(s.properties['detail-type']?.const).toBe(entry.detailType)
      expect(s.properties.detail?.required).toEqual(
        expect.arrayContaining(['id', 'tenantId', 'occurredAt', 'version', 'correlationId', 'data']),
      )
      expect(JSON.stringify(s)).not.toContain('"additionalProperties":false')
    }
  })

  it("a real Contact.Created envelope matches the catalogue's zod schema", () => {
    const contact = buildContact(
      { firstName: 'Ann' },
      { id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB', ownerId: 'u', now: '2025-01-01T00:00:00.000Z' },
    )
    const detail = {
      id: '01JD3Y0C6Z8R4F2G9QK7WXN5TC',
      tenantId: 'acme',
      occurredAt: '2025-01-01T00:00:00.000Z',
      version: 1,
      correlationId: 'c',
      data: contact,
    }
    expect(envelopeSchema(ContactCreated).safeParse(detail).success).toBe(true)
    expect(envelopeSchema(ContactCreated).safeParse({ ...detail, version: 2 }).success).toBe(false)
  })
})
