import { type UserDirectory, UserDirectoryInput } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { getUserDirectory, putUserDirectory, userDirectory } from '../store/settings.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/** PUT /settings/users `{ users: [{ userId, email, name? }] }` → 200 + ETag; one entry per user id. */
export const handler = http({
  roles: CONFIG_ROLES,
  body: UserDirectoryInput,
  async handle({ body, caller, ifMatch }) {
    const current = await userDirectory(caller.tenantId)
    checkIfMatch(ifMatch, current.version)
    const seen = new Set<string>()
    assertNoProblems(
      body.users.flatMap((u, i) => {
        const dup = seen.has(u.userId)
        seen.add(u.userId)
        return dup
          ? [{ field: `users.${i}.userId`, code: 'duplicate', message: `${u.userId} is listed twice` }]
          : []
      }),
    )
    const next: UserDirectory = { users: body.users, version: current.version + 1, updatedAt: nowIso() }
    await writeOrExplain(
      async () => current.version === 0 || Boolean(await getUserDirectory(caller.tenantId)),
      ifMatch,
      () => putUserDirectory(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
