import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { deleteForm, getForm } from '../store/forms.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** DELETE /forms/{id} → 204; its public endpoint answers 404 from then on. Leads it made stay. */
export const handler = http({
  roles: CONFIG_ROLES,
  params: IdParams,
  async handle({ params, caller, ifMatch }) {
    const form = await getForm(caller.tenantId, params.id)
    if (!form) throw notFound('No form with this id.')
    checkIfMatch(ifMatch, form.version)
    await writeOrExplain(
      async () => Boolean(await getForm(caller.tenantId, params.id)),
      ifMatch,
      () => deleteForm(caller.tenantId, form.id, form.version),
    )
    return { status: 204 }
  },
})
