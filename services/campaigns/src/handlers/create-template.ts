import { Invalid } from '@relay/core/outcomes'
import { templateProblems } from '../domain/template.js'
import { http } from '../kit.js'
import * as routes from '../routes/templates.js'
import { insertTemplate } from '../store/templates.js'

/** POST /templates → 201. A part that does not parse or render (sample contact) → 400 naming it. */
export const handler = http(routes.createTemplate, async ({ body, caller }) => {
  const problems = templateProblems(body)
  if (problems.length) throw new Invalid(problems, 'The template does not compile.')
  const template = await insertTemplate(caller.tenantId, body)
  return { status: 201, body: template, version: template.version, location: `/templates/${template.id}` }
})
