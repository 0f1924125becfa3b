import { isConditionalCheckFailed } from '@relay/core/ddb'
import { conflict, notFound, preconditionFailed } from '@relay/core/errors'
import { getContact } from './store.js'

/**
 * Runs a conditional write of a record read at some version. When the condition fails (someone
 * changed or deleted it between our read and our write) the answer says which: 404 if it is gone
 * now, else 412 when the client sent If-Match (its version is stale), else 409. `exists` defaults to
 * "the contact `id` exists".
 */
export async function writeOrExplain(
  tenantId: string,
  id: string,
  ifMatch: number | undefined,
  write: () => Promise<void>,
  exists: () => Promise<boolean> = async () => (await getContact(tenantId, id)) !== undefined,
): Promise<void> {
  try {
    await write()
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await exists())) throw notFound('No record with this id.')
    throw ifMatch !== undefined
      ? preconditionFailed()
      : conflict('It was changed by someone else meanwhile; read it again and retry.')
  }
}
