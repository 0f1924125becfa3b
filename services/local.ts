/**
 * `npm start` / `npm run token`: the one place that knows both the service registry and the local
 * runtime, so that packages/local stays below services/ (it is handed the registry, never imports it).
 */
import { runCli } from '@relay/local/cli'
import { services } from './index.js'

runCli(process.argv.slice(2), { services })
