/**
 * The gateway's own answers (no route, no token, too large, timed out, ...) in the same RFC 9457
 * shape as the functions' answers (`@relay/core/http/problem`), so a client handles one
 * error format whoever answered.
 */
import type { ServerResponse } from 'node:http'
import { problemBody as coreProblemBody } from '@relay/core/http/problem'

export const PROBLEM_JSON = 'application/problem+json'

/** A problem+json body: core's, so the gateway's answers and the functions' cannot drift apart. */
export function problemBody(
  status: number,
  detail: string,
  extra?: Record<string, unknown>,
  instance?: string,
): Record<string, unknown> {
  return coreProblemBody({ status, detail, ...(extra ? { extra } : {}) }, instance)
}

/** Writes a problem+json answer; `close` asks the client to drop the connection (a body left unread). */
export function sendProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  options: {
    headers?: Record<string, string>
    extra?: Record<string, unknown>
    instance?: string
    close?: boolean
  } = {},
): void {
  const text = JSON.stringify(problemBody(status, detail, options.extra, options.instance))
  res.writeHead(status, {
    'content-type': PROBLEM_JSON,
    'content-length': Buffer.byteLength(text),
    ...(options.close ? { connection: 'close' } : {}),
    ...options.headers,
  })
  res.end(text)
}
