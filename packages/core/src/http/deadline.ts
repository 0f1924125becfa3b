/**
 * How long before Lambda's own time-out a handler still running is answered 504 (problem+json):
 * time for the idempotency claim's release and the answer itself. API Gateway gives up at 30 s
 * and a function at its `timeoutSeconds`; answering first keeps the answer ours (problem+json)
 * rather than the platform's.
 */
export const DEADLINE_MARGIN_MS = 1000
