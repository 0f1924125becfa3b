/** What several handlers share: conditional writes explained, and the tenant's settings with defaults. */
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { badRequest, conflict, notFound, preconditionFailed } from '@relay/core/errors'
import type { Problem } from './domain/pipeline.js'

/** Throws a 400 naming each problem, if any. */
export function assertNoProblems(problems: readonly Problem[]): void {
  if (problems.length) throw badRequest([...problems])
}

/**
 * Runs a conditional write of something read at some version. When the condition fails (someone
 * changed or deleted it between our read and our write): 404 if it is gone now, else 412 when the
 * client sent If-Match, else 409.
 */
export async function writeOrExplain(
  stillExists: () => Promise<boolean>,
  ifMatch: number | undefined,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write()
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await stillExists())) throw notFound()
    throw ifMatch !== undefined
      ? preconditionFailed()
      : conflict('It was changed by someone else meanwhile; read it again and retry.')
  }
}

/** 412 when If-Match names another version than the current one. */
export function checkIfMatch(ifMatch: number | undefined, version: number): void {
  if (ifMatch !== undefined && ifMatch !== version) throw preconditionFailed()
}
