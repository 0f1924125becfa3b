/**
 * The bus's delivery journal: every delivery the bus has accepted and not yet finished (delivered or
 * dead-lettered), appended to `<dataDir>/bus-deliveries.jsonl` before PutEvents answers. The stream
 * checkpoint moves on only once PutEvents has answered, so after a kill -9 every acknowledged write's
 * events are either still in the stream after the checkpoint or in this journal: a restart delivers
 * them again (at least once, as EventBridge does; subscribers dedupe by `detail.id`).
 *
 * Append-only, one JSON line per change, so accepting a burst costs one write per tick rather than a
 * rewrite of the whole file; compacted on load and whenever nothing is pending. A torn last line (the
 * process died mid-write) is ignored: its PutEvents had not been answered.
 */
import { type FileHandle, open, readFile, rename, writeFile } from 'node:fs/promises'

export interface JournalEntry<T> {
  id: string
  value: T
}

type Line<T> = { add: string; value: T } | { done: string }

/** Lines after which a journal with few pending deliveries is rewritten. */
const COMPACT_AFTER_LINES = 5000

export class DeliveryJournal<T> {
  private readonly live = new Map<string, T>()
  private handle: FileHandle | undefined
  private buffer: string[] = []
  private tail: Promise<void> = Promise.resolve()
  private lines = 0
  private closed = false

  constructor(private readonly file: string) {}

  /** Reads what was pending when the last process ended, rewrites the file with only that, and opens it. */
  async open(): Promise<JournalEntry<T>[]> {
    let text = ''
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue
      let line: Line<T>
      try {
        line = JSON.parse(raw) as Line<T>
      } catch {
        continue
      }
      if ('add' in line) this.live.set(line.add, line.value)
      else this.live.delete(line.done)
    }
    await this.rewrite()
    return [...this.live].map(([id, value]) => ({ id, value }))
  }

  /** Records deliveries as pending; resolves once they are written (the caller may acknowledge then). */
  add(entries: readonly JournalEntry<T>[]): Promise<void> {
    // Refused, not dropped: the caller must not acknowledge what will not survive a restart.
    if (this.closed) return Promise.reject(new Error('The bus is stopping; try again after the restart'))
    for (const { id, value } of entries) {
      this.live.set(id, value)
      this.buffer.push(JSON.stringify({ add: id, value } satisfies Line<T>))
    }
    return this.flush()
  }

  /** Records deliveries as finished. Losing this line only means one more delivery after a crash. */
  done(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!this.live.delete(id)) continue
      this.buffer.push(JSON.stringify({ done: id } satisfies Line<T>))
    }
    return this.flush()
  }

  /** How many deliveries are pending. */
  get size(): number {
    return this.live.size
  }

  /** Writes what is buffered and closes the file; pending entries stay for the next `open()`. */
  async close(): Promise<void> {
    await this.flush()
    this.closed = true
    const handle = this.handle
    this.handle = undefined
    await handle?.close()
  }

  private flush(): Promise<void> {
    if (this.closed) {
      // After close only a late done line can arrive: dropping it means one more delivery, no loss.
      this.buffer = []
      return this.tail
    }
    // Chained: lines buffered meanwhile go out together in the next write, in order.
    this.tail = this.tail
      .catch(() => {})
      .then(async () => {
        if (this.buffer.length === 0) return
        const text = `${this.buffer.join('\n')}\n`
        this.lines += this.buffer.length
        this.buffer = []
        if (!this.handle) this.handle = await open(this.file, 'a')
        await this.handle.write(text)
        if (this.lines > COMPACT_AFTER_LINES && this.live.size < COMPACT_AFTER_LINES / 10)
          await this.rewrite()
      })
    return this.tail
  }

  private async rewrite(): Promise<void> {
    await this.handle?.close()
    this.handle = undefined
    const tmp = `${this.file}.${process.pid}.tmp`
    const text = [...this.live].map(([id, value]) => `${JSON.stringify({ add: id, value })}\n`).join('')
    await writeFile(tmp, text)
    await rename(tmp, this.file)
    this.lines = this.live.size
  }
}
