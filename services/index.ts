/**
 * The registry of every service manifest: the CDK app and the local runtime both start here.
 * `root` is the service's folder; function entries in a manifest are relative to `<root>/src`.
 */
import { fileURLToPath } from 'node:url'
import type { ServiceManifest } from '@relay/core/manifest'
import { manifest as analytics } from './analytics/src/service.js'
import { manifest as campaigns } from './campaigns/src/service.js'
import { manifest as contacts } from './contacts/src/service.js'
import { manifest as pipeline } from './pipeline/src/service.js'
import { manifest as platform } from './platform/src/service.js'
import { manifest as serviceDesk } from './service-desk/src/service.js'

export interface RegisteredService {
  manifest: ServiceManifest
  /** Absolute path of the service folder (holds `src/`). */
  root: string
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url))

export const services: readonly RegisteredService[] = [
  { manifest: platform, root: here('./platform') },
  { manifest: contacts, root: here('./contacts') },
  { manifest: pipeline, root: here('./pipeline') },
  { manifest: serviceDesk, root: here('./service-desk') },
  { manifest: campaigns, root: here('./campaigns') },
  { manifest: analytics, root: here('./analytics') },
]
