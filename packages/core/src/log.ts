import { Logger } from '@aws-lambda-powertools/logger'

/**
 * A structured JSON logger (Powertools). The level comes from `POWERTOOLS_LOG_LEVEL` (default INFO).
 *
 * @example
 * const logger = createLogger('contacts')
 * logger.info('contact created', { contactId })
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName })
}

export type { Logger }
