/** Objects and multipart uploads of the local S3 endpoint, streamed to and from disk, never held whole in memory. */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32 } from 'node:zlib'
import { readJson, writeJsonAtomic } from '../persist.js'
import { noSuchUpload, sha256Hex } from './codec.js'

/** What is known of a stored object. */
export interface ObjectMeta {
  key: string
  size: number
  /** Quoted, as S3 sends it: `"<md5>"`, or `"<md5 of part md5s>-<parts>"` for a multipart upload. */
  etag: string
  contentType: string
  lastModified: string
  /** `x-amz-meta-*` headers, names lower-cased without the prefix. */
  metadata: Record<string, string>
  /** Data file name inside the bucket's `objects/` folder. */
  file: string
}

export interface Staged {
  path: string
  size: number
  md5: Buffer
  crc32: number
}

export interface UploadMeta {
  key: string
  contentType: string
  metadata: Record<string, string>
  initiated: string
}

export interface PartMeta {
  number: number
  size: number
  etag: string
  md5: string
}

/** Counts, MD5s and CRC32s what flows through it. */
class Digest extends Transform {
  size = 0
  crc = 0
  private readonly hash = createHash('md5')
  private digest: Buffer | undefined

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length
    this.hash.update(chunk)
    this.crc = crc32(chunk, this.crc)
    cb(null, chunk)
  }

  md5(): Buffer {
    this.digest ??= this.hash.digest()
    return this.digest
  }
}

/** Objects and multipart uploads on disk: `<root>/<bucket>/objects/` and `/uploads/<uploadId>/`. */
export class ObjectStore {
  constructor(readonly root: string) {}

  private objectsDir(bucket: string): string {
    return join(this.root, bucket, 'objects')
  }

  private metaFile(bucket: string, key: string): string {
    // Keys are hashed into file names: any key (up to 1024 bytes, any characters) is a safe name.
    return join(this.objectsDir(bucket), `${sha256Hex(key)}.json`)
  }

  private uploadDir(bucket: string, uploadId: string): string {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload(uploadId)
    return join(this.root, bucket, 'uploads', uploadId)
  }

  async head(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    return readJson<ObjectMeta | undefined>(this.metaFile(bucket, key), undefined)
  }

  /** The object's bytes `[start, end]` (inclusive), streamed from disk. */
  open(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    return createReadStream(join(this.objectsDir(bucket), meta.file), range)
  }

  /** Writes a body to a new data file of the bucket, measuring it on the way. */
  async stage(bucket: string, body: Readable): Promise<Staged> {
    const dir = this.objectsDir(bucket)
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${randomBytes(12).toString('hex')}.data`)
    const digest = new Digest()
    try {
      await pipeline(body, digest, createWriteStream(path))
    } catch (err) {
      await rm(path, { force: true })
      throw err
    }
    return { path, size: digest.size, md5: digest.md5(), crc32: digest.crc }
  }

  async discard(staged: Staged): Promise<void> {
    await rm(staged.path, { force: true })
  }

  /** Makes a staged file the object at `key` (the previous version's data is removed). */
  async commit(
    bucket: string,
    key: string,
    staged: Staged,
    attrs: { etag: string; contentType: string; metadata: Record<string, string> },
  ): Promise<ObjectMeta> {
    const previous = await this.head(bucket, key)
    const meta: ObjectMeta = {
      key,
      size: staged.size,
      etag: attrs.etag,
      contentType: attrs.contentType,
      lastModified: new Date().toISOString(),
      metadata: attrs.metadata,
      file: staged.path.slice(this.objectsDir(bucket).length + 1),
    }
    await writeJsonAtomic(this.metaFile(bucket, key), meta)
    if (previous && previous.file !== meta.file)
      await rm(join(this.objectsDir(bucket), previous.file), { force: true })
    return meta
  }

  async delete(bucket: string, key: string): Promise<void> {
    const meta = await this.head(bucket, key)
    if (!meta) return
    await rm(this.metaFile(bucket, key), { force: true })
    await rm(join(this.objectsDir(bucket), meta.file), { force: true })
  }

  async createUpload(bucket: string, upload: UploadMeta): Promise<string> {
    const uploadId = randomBytes(16).toString('hex')
    await writeJsonAtomic(join(this.uploadDir(bucket, uploadId), 'upload.json'), upload)
    return uploadId
  }

  async upload(bucket: string, uploadId: string): Promise<UploadMeta> {
    const meta = await readJson<UploadMeta | undefined>(
      join(this.uploadDir(bucket, uploadId), 'upload.json'),
      undefined,
    )
    if (!meta) throw noSuchUpload(uploadId)
    return meta
  }

  async putPart(bucket: string, uploadId: string, number: number, staged: Staged): Promise<PartMeta> {
    const dir = this.uploadDir(bucket, uploadId)
    const part: PartMeta = {
      number,
      size: staged.size,
      etag: `"${staged.md5.toString('hex')}"`,
      md5: staged.md5.toString('hex'),
    }
    await rename(staged.path, join(dir, `part-${number}.data`))
    await writeJsonAtomic(join(dir, `part-${number}.json`), part)
    return part
  }

  async part(bucket: string, uploadId: string, number: number): Promise<PartMeta | undefined> {
    return readJson<PartMeta | undefined>(
      join(this.uploadDir(bucket, uploadId), `part-${number}.json`),
      undefined,
    )
  }

  /** Concatenates the parts (already checked) into a staged object file. */
  async assemble(bucket: string, uploadId: string, numbers: readonly number[]): Promise<Staged> {
    const dir = this.uploadDir(bucket, uploadId)
    async function* parts() {
      for (const n of numbers) yield* createReadStream(join(dir, `part-${n}.data`))
    }
    return this.stage(bucket, Readable.from(parts()))
  }

  async abort(bucket: string, uploadId: string): Promise<void> {
    await rm(this.uploadDir(bucket, uploadId), { recursive: true, force: true })
  }

  /** Keys of a bucket (for tests and tools). */
  async keys(bucket: string): Promise<string[]> {
    let files: string[]
    try {
      files = (await readdir(this.objectsDir(bucket))).filter((f) => f.endsWith('.json'))
    } catch {
      return []
    }
    const metas = await Promise.all(
      files.map((f) => readJson<ObjectMeta | undefined>(join(this.objectsDir(bucket), f), undefined)),
    )
    return metas.flatMap((m) => (m ? [m.key] : [])).sort()
  }
}
