/** Hand-made EventBridge deliveries of domain events, shared by the services' subscriber tests. */

import { newId } from '@relay/core/ids'
import type { EventEnvelope } from '@relay/core/outbox'
import type { EventBridgeEvent } from 'aws-lambda'

export function busEvent(input: {
  source: string
  detailType: string
  data: unknown
  tenantId?: string
  /** The envelope's event id, which subscribers dedupe on; a fresh ULID unless a test needs a fixed one. */
  id?: string
  occurredAt?: string
  correlationId?: string
  version?: number
}): EventBridgeEvent<string, EventEnvelope> {
  const occurredAt = input.occurredAt ?? new Date().toISOString()
  return {
    id: `eb-${newId()}`,
    version: '0',
    account: '000000000000',
    time: occurredAt,
    region: 'us-east-1',
    resources: [],
    source: input.source,
    'detail-type': input.detailType,
    detail: {
      id: input.id ?? newId(),
      tenantId: input.tenantId ?? 'acme',
      occurredAt,
      version: input.version ?? 1,
      correlationId: input.correlationId ?? 'corr-1',
      data: input.data,
    },
  }
}
