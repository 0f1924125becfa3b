// Registers aws-sdk-client-mock's matchers (toReceiveCommandWith, ...) once for every test file.
import 'aws-sdk-client-mock-vitest/extend'

// Integration tests never skip: the global setup starts DynamoDB Local, so a run without it is broken.
if (!process.env.DYNAMODB_ENDPOINT) {
  throw new Error('DYNAMODB_ENDPOINT is not set: DynamoDB Local did not start (see test/global-setup.ts)')
}
