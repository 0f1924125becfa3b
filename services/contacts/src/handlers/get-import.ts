import { ImportIdParams } from '@relay/contracts/contact-imports'
import { NotFound } from '@relay/core/outcomes'
import { IMPORT_ROLES } from '../access.js'
import { http } from '../http.js'
import { getImportJob } from '../store/import-jobs.js'

/** GET /contacts/imports/{id} → the job: status, counts and the rows not imported. */
export const handler = http({
  roles: IMPORT_ROLES,
  params: ImportIdParams,
  async handle({ params, caller }) {
    const found = await getImportJob(caller.tenantId, params.id)
    if (!found) throw new NotFound('No import with this id.')
    return { status: 200, body: found.job }
  },
})
