/** Hand-made API Gateway HTTP API (payload 2.0) events and a Lambda context, shared by the services' handler tests. */
import type { Role } from '@relay/core/manifest'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'

export function httpEvent(input: {
  method: string
  path: string
  body?: unknown
  headers?: Record<string, string>
  query?: Record<string, string>
  params?: Record<string, string>
  tenant?: string
  roles?: readonly Role[]
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${input.method} ${input.path}`,
    rawPath: input.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...input.headers },
    ...(input.query ? { queryStringParameters: input.query } : {}),
    ...(input.params ? { pathParameters: input.params } : {}),
    ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: input.method,
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: `${input.method} ${input.path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      authorizer: {
        jwt: {
          claims: {
            sub: 'user-1',
            'custom:tenantId': input.tenant ?? 'acme',
            'cognito:groups': `[${(input.roles ?? ['admin']).join(' ')}]`,
          },
          scopes: [],
        },
      },
    },
  } as unknown as APIGatewayProxyEventV2
}

export const context = {
  functionName: 'test',
  awsRequestId: 'aws-req-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context

/** Status, headers and parsed body of a handler's response. */
export function parse(res: unknown): { status: number; headers: Record<string, string>; body: any } {
  const r = res as APIGatewayProxyStructuredResultV2
  return {
    status: r.statusCode ?? 200,
    headers: (r.headers ?? {}) as Record<string, string>,
    body: r.body ? JSON.parse(r.body) : undefined,
  }
}
