/**
 * HTTP API: one route per manifest route on the shared API, in the stack of the function it invokes
 * (its invoke permission lives with the function).
 */
import type { RouteDef } from '@relay/core/manifest'
import { type Stack, Validations } from 'aws-cdk-lib'
import { HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type { ServiceContext } from './context.js'

/** The routes of one function; they share one integration (fewer resources per stack). */
export function addRoutes(
  scope: Stack,
  ctx: ServiceContext,
  functionName: string,
  fn: lambda.IFunction,
): void {
  const routes = ctx.manifest.routes.filter((r) => r.function === functionName)
  if (routes.length === 0) return
  const integration = new HttpLambdaIntegration(`Integration-${functionName}`, fn)
  for (const route of routes) addRoute(scope, ctx, route, integration)
}

function addRoute(
  scope: Stack,
  ctx: ServiceContext,
  route: RouteDef,
  integration: HttpLambdaIntegration,
): void {
  const { shared } = ctx
  const created = new HttpRoute(scope, `Route ${route.method} ${route.path.replaceAll('/', '|')}`, {
    httpApi: shared.api,
    routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
    integration,
    // Explicit on both sides so that an API default authorizer can never change a route's auth.
    authorizer: route.roles === 'public' ? new HttpNoneAuthorizer() : shared.authorizer,
  })
  if (route.roles === 'public') {
    Validations.of(created).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `${route.method} ${route.path} is declared public in the ${ctx.manifest.name} manifest (roles: 'public'); it needs no token.`,
    })
  }
}
