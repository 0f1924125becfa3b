import { Invalid } from '@relay/core/outcomes'
import { templateProblems } from '../domain/template.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/templates.js'
import { updateTemplate } from '../store/templates.js'

/** PATCH /templates/{id} (If-Match) → the template as saved; checked whole, like a new one. */
export const handler = httpNonPost(routes.updateTemplate, async ({ params, body, caller, ifMatch }) => {
  const template = await updateTemplate(caller.tenantId, params.id, body, ifMatch, (next) => {
    const problems = templateProblems(next)
    if (problems.length) throw new Invalid(problems, 'The template does not compile.')
  })
  return { status: 200, body: template, version: template.version }
})
