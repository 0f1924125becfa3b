/** Builders of hand-made Lambda events for the core tests (bases in ./fixtures). */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import type { HttpHandler, HttpRequest, HttpResult } from '../src/http.js'
import { httpKit, type KitConfig } from '../src/kit.js'
import { type RouteDef, route } from '../src/manifest.js'
import httpEventFixture from './fixtures/http-event.json' with { type: 'json' }

export interface HttpEventInput {
  method?: string
  path?: string
  body?: unknown
  headers?: Record<string, string>
  query?: Record<string, string>
  params?: Record<string, string>
  /** JWT claims; `null` → no authorizer at all. */
  claims?: Record<string, unknown> | null
}

/** An API Gateway HTTP API (payload 2.0) event: tenant `acme`, user `user-1`, groups `[admin sales]` unless overridden. */
export function httpEvent(input: HttpEventInput = {}): APIGatewayProxyEventV2 {
  const base = structuredClone(httpEventFixture) as unknown as APIGatewayProxyEventV2 & {
    requestContext: { authorizer?: { jwt: { claims: Record<string, unknown> } } }
  }
  const method = input.method ?? 'POST'
  const path = input.path ?? '/contacts'
  base.rawPath = path
  base.requestContext.http.method = method
  base.requestContext.http.path = path
  base.headers = { ...base.headers, ...input.headers }
  if (input.body !== undefined)
    base.body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body)
  if (input.query) base.queryStringParameters = input.query
  if (input.params) base.pathParameters = input.params
  if (input.claims === null) delete base.requestContext.authorizer
  else if (input.claims) base.requestContext.authorizer = { jwt: { claims: input.claims } }
  return base
}

/** A minimal Lambda context. */
export const context = {
  functionName: 'test',
  awsRequestId: 'aws-req-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context

/** The parsed JSON body of a structured result. */
export function bodyOf(result: { body?: string }): Record<string, unknown> {
  return JSON.parse(result.body ?? 'null') as Record<string, unknown>
}

/** Creates a pay-per-request table keyed `pk` (S) / `sk` (S) on DynamoDB Local: the shape core's records use. */
export async function createPkSkTable(raw: DynamoDBClient, name: string): Promise<void> {
  await raw.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  )
}

// Ad-hoc test routes take any body: the kit's request typing is tested in kit.test.ts.
type AnyRequest = HttpRequest<any, any, any>

/** A route declared for one test: `POST /contacts` unless it says otherwise. */
export type AdHocRoute = Omit<RouteDef, 'method' | 'path' | 'function' | 'summary'> &
  Partial<Pick<RouteDef, 'method' | 'path'>> & { handle(req: AnyRequest): Promise<HttpResult> }

/** Handlers of ad-hoc routes, built by the kit exactly as a service's are. */
export function adHocRoutes(config: KitConfig): (def: AdHocRoute) => HttpHandler {
  const http = httpKit(config)
  return ({ handle, ...def }) =>
    http(route({ method: 'POST', path: '/contacts', function: 'test', summary: 'test', ...def }), handle)
}
