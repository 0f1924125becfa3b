/**
 * The shape of one TransactWriteItems item, in a module that imports nothing of core: the modules
 * that build items (outbox, ddb, idempotency claims, work) all name it without importing each other.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb'

/** One item of a TransactWriteItems call (lib-dynamodb shape). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]
