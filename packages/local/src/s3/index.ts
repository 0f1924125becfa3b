/**
 * The local S3 endpoint (REST API, path-style: `http://127.0.0.1:<port>/<bucket>/<key>`), so that
 * `@aws-sdk/client-s3`, `@aws-sdk/lib-storage` and presigned URLs work unchanged, and the object
 * triggers it feeds. By responsibility: `codec.ts` (S3's XML, query, aws-chunked and range
 * formats), `signature.ts` (presigned URLs and access keys), `store.ts` (objects and multipart
 * uploads on disk), `server.ts` (the HTTP endpoint), `triggers.ts` (S3 event notifications).
 */
export { AwsChunkedDecoder, S3Error } from './codec.js'
export { createS3Server, MIN_PART_BYTES, type ObjectCreated, type S3ServerOptions } from './server.js'
export { verifyPresigned } from './signature.js'
export { type ObjectMeta, ObjectStore } from './store.js'
export {
  eventKey,
  type ObjectTriggerEvents,
  type ObjectTriggerRef,
  ObjectTriggers,
  s3EventOf,
} from './triggers.js'
