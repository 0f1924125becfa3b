/**
 * A service's table on the test run's DynamoDB Local, under a throw-away stage, with its env var
 * set so the service's store finds it: the setup every store integration test needs.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { type ServiceManifest, tableEnvVar } from '@relay/core/manifest'
import { tableInput } from '@relay/local/dynamodb'

const client = () => new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT })

/** Creates `manifest.tables[table]` for `stage`, points the service at it, and returns its name. */
export async function createServiceTable(
  stage: string,
  manifest: ServiceManifest,
  table = 'main',
): Promise<string> {
  const input = tableInput(stage, manifest.name, table, manifest.tables[table]!)
  const raw = client()
  await raw.send(new CreateTableCommand(input))
  raw.destroy()
  process.env[tableEnvVar(manifest.name, table)] = input.TableName!
  return input.TableName!
}

export async function dropTable(name: string | undefined): Promise<void> {
  if (!name) return
  const raw = client()
  await raw.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined)
  raw.destroy()
}
