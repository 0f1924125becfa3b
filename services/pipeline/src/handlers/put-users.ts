import type { UserDirectory } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { getUserDirectory, putUserDirectory, userDirectory } from '../store/settings.js'

/** PUT /settings/users `{ users: [{ userId, email, name? }] }` → 200 + ETag; one entry per user id. */
export const handler = httpNonPost(routes.putUsers, async ({ body, caller, ifMatch }) => {
  const current = await userDirectory(caller.tenantId)
  checkVersion(ifMatch, current.version)
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
    () => putUserDirectory(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getUserDirectory(caller.tenantId)),
  )
  return { status: 200, body: next, version: next.version }
})
