/** Small JSON persistence for the data folder: atomic writes, serialised per file. */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Reads a JSON file, or returns `fallback` when it does not exist. */
export async function readJson<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`)
  }
}

const queues = new Map<string, Promise<void>>()

/**
 * Writes JSON through a temporary file and a rename, so a crash never leaves half a file; writes to
 * the same file run one after the other.
 */
export function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  const text = JSON.stringify(data, null, 2)
  const previous = queues.get(file) ?? Promise.resolve()
  const next = previous
    .catch(() => {})
    .then(async () => {
      await mkdir(dirname(file), { recursive: true })
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      await writeFile(tmp, text)
      await rename(tmp, file)
    })
  queues.set(file, next)
  void next.finally(() => {
    if (queues.get(file) === next) queues.delete(file)
  })
  return next
}
