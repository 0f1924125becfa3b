// Placeholder until packages/local provides DynamoDB Local lifecycle.
export default async function setup(): Promise<void> {}
