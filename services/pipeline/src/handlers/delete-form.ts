import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forms.js'
import { deleteForm, getForm } from '../store/forms.js'

/** DELETE /forms/{id} → 204; its public endpoint answers 404 from then on. Leads it made stay. */
export const handler = httpNonPost(routes.deleteForm, async ({ params, caller, ifMatch }) => {
  const form = await getForm(caller.tenantId, params.id)
  if (!form) throw new NotFound('No form with this id.')
  checkVersion(ifMatch, form.version)
  await writeOrExplain(
    () => deleteForm(caller.tenantId, form.id, form.version),
    async () => Boolean(await getForm(caller.tenantId, params.id)),
  )
  return { status: 204 }
})
