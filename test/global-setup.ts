/**
 * vitest globalSetup: ONE in-memory DynamoDB Local for the whole run. Its endpoint, the region and
 * fake credentials go into process.env before the workers fork, so every worker inherits them.
 */
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '@relay/local/dynamodb'

export default async function setup(): Promise<() => Promise<void>> {
  const ddb = await startDynamoDbLocal({ inMemory: true })
  process.env.DYNAMODB_ENDPOINT = ddb.endpoint
  process.env.AWS_REGION = LOCAL_REGION
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey
  return async () => {
    await ddb.stop()
  }
}
