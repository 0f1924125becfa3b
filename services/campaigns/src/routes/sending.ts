/** The tenant's email sending settings. Managers set them, anyone reads. Each declaration is marked pure. */
import { SendingSettings, SendingSettingsView } from '@relay/contracts/campaign-sends'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const getSendingSettings = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/email-sending',
  function: 'get-sending-settings',
  roles: ANY_ROLE,
  summary: "Campaign sending settings: the tenant's rate (messages a second, all campaigns together)",
  response: { status: 200, schema: SendingSettingsView },
})

export const putSendingSettings = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/email-sending',
  function: 'put-sending-settings',
  roles: MANAGERS,
  summary:
    'Set the sending rate (1 to 1 000 a second, within the SES quota) and the footer postal address (If-Match)',
  body: SendingSettings,
  example: { ratePerSecond: 14, postalAddress: '1 Market Street, Cardiff CF10 1AA, UK' },
  response: { status: 200, schema: SendingSettingsView },
})

export const sendingRoutes = [getSendingSettings, putSendingSettings]
