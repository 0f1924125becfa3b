import { isConditionalCheckFailed } from '@relay/core/ddb'
import { conflict, notFound, preconditionFailed } from '@relay/core/errors'
import { getContact } from './store.js'

/**
 * Runs a conditional write of a contact read at some version. When the condition fails (someone
 * changed or deleted it between our read and our write) the answer says which: 404 if it is gone
 * now, else 412 when the client sent If-Match (its version is stale), else 409.
 */
export async function writeOrExplain(
  tenantId: string,
  id: string,
  ifMatch: number | undefined,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write()
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await getContact(tenantId, id))) throw notFound('No contact with this id.')
    throw ifMatch !== undefined
      ? preconditionFailed()
      : conflict('The contact was changed by someone else meanwhile; read it again and retry.')
  }
}
