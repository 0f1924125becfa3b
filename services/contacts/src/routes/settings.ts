/** Routes: the tenant's contact settings (custom fields, default phone region). */
import { ContactFields, PutContactFields } from '@relay/contracts/contacts'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const getContactFields = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/contact-fields',
  function: 'get-contact-fields',
  roles: ANY_ROLE,
  summary: "The tenant's custom contact fields and default phone region",
  response: { status: 200, schema: ContactFields },
})

export const putContactFields = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/contact-fields',
  function: 'put-contact-fields',
  // The definitions shape every contact write of the tenant: managers and admins.
  roles: MANAGERS,
  summary: 'Replace the custom contact fields (If-Match)',
  body: PutContactFields,
  example: { fields: [{ key: 'shoeSize', label: 'Shoe size', type: 'number' }], defaultRegion: 'GB' },
  response: { status: 200, schema: ContactFields },
})

export const settingsRoutes = [getContactFields, putContactFields] as const
