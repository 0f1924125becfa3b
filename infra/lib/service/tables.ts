/**
 * DynamoDB: one table per manifest table in the data stack, and table grants that name a table by
 * its ARN built from its fixed name, so a function in another stack of the service needs no export.
 */
import type { TableDef } from '@relay/core/manifest'
import { physicalTableName } from '@relay/core/names'
import { Stack } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import { pascal, type ServiceContext } from './context.js'

/** Read actions granted for `read`; no Scan for functions that serve routes (DESIGN §4: no Scan in a request path). */
const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
]
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]
const SCAN_ACTION = 'dynamodb:Scan'

/** Adds the table with the construct id `Table-<name>` (kept stable: it is the table's logical id). */
export function addTable(scope: Stack, ctx: ServiceContext, name: string, def: TableDef): dynamodb.Table {
  const { stage } = ctx
  const table = new dynamodb.Table(scope, `Table-${name}`, {
    tableName: physicalTableName(stage.name, ctx.manifest.name, name),
    partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: def.sortKey ? { name: def.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.pointInTimeRecovery },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    deletionProtection: stage.deletionProtection,
    removalPolicy: stage.removalPolicy,
    timeToLiveAttribute: def.ttl,
    stream: def.outbox ? dynamodb.StreamViewType.NEW_AND_OLD_IMAGES : undefined,
  })
  for (const gsi of def.gsis ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: gsi.name,
      partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: gsi.sortKey ? { name: gsi.sortKey, type: dynamodb.AttributeType.STRING } : undefined,
      projectionType: dynamodb.ProjectionType.ALL,
    })
  }
  return table
}

/** `arn:…:dynamodb:<region>:<account>:table/crm-<stage>-<service>-<table>`, from the name alone. */
export function tableArn(scope: Stack, ctx: ServiceContext, table: string): string {
  return Stack.of(scope).formatArn({
    service: 'dynamodb',
    resource: 'table',
    resourceName: physicalTableName(ctx.stage.name, ctx.manifest.name, table),
  })
}

/**
 * One statement per table: item actions for `read` or `write`, on the table and exactly its
 * declared GSIs (not `index/*`); Scan only for functions that serve no route.
 */
export function grantTable(
  fn: lambda.Function,
  ctx: ServiceContext,
  table: string,
  access: 'read' | 'write',
  servesRoutes: boolean,
): void {
  const arn = tableArn(Stack.of(fn), ctx, table)
  const actions = [...READ_ACTIONS, ...(access === 'write' ? WRITE_ACTIONS : [])]
  if (!servesRoutes) actions.push(SCAN_ACTION)
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: `${access === 'write' ? 'ReadWrite' : 'Read'}${pascal(table)}Table`,
      actions,
      resources: [arn, ...(ctx.manifest.tables[table]!.gsis ?? []).map((g) => `${arn}/index/${g.name}`)],
    }),
  )
}
