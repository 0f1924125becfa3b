/**
 * The gateway's own answers (no route, no token, too large, timed out, ...) in the same RFC 9457
 * shape as the functions' answers (`@relay/core/errors` `problem()`), so a client handles one
 * error format whoever answered.
 */
import type { ServerResponse } from 'node:http'
import { statusTitle } from '@relay/core/errors'

export const PROBLEM_JSON = 'application/problem+json'

/** Statuses only the gateway answers (Node's parser refusing a request), beyond core's. */
const GATEWAY_TITLES: Record<number, string> = {
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
}

/** The reason phrase of a status the gateway may answer. */
export function problemTitle(status: number): string {
  return GATEWAY_TITLES[status] ?? statusTitle(status)
}

/** A problem+json body: `type`, `title`, `status`, `detail`, optional `instance` and extra members. */
export function problemBody(
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  instance?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: problemTitle(status),
    status,
    detail,
    ...(instance ? { instance } : {}),
  }
  for (const [k, v] of Object.entries(extra)) if (!(k in body)) body[k] = v
  return body
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
