import { describe, expect, it } from 'vitest'
import { physicalTableName, tableEnvVar } from '../src/manifest.js'

describe('manifest naming', () => {
  it('derives service-qualified env vars and stage-scoped table names', () => {
    expect(tableEnvVar('service-desk', 'main')).toBe('SERVICE_DESK_MAIN_TABLE')
    expect(physicalTableName('dev', 'contacts', 'main')).toBe('crm-dev-contacts-main')
  })
})
