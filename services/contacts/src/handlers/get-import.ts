import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/files.js'
import { getImportJob } from '../store/import-jobs.js'

/** GET /contacts/imports/{id} → the job: status, counts and the rows not imported. */
export const handler = httpNonPost(routes.getImport, async ({ params, caller }) => {
  const found = await getImportJob(caller.tenantId, params.id)
  if (!found) throw new NotFound('No import with this id.')
  return { status: 200, body: found.job }
})
