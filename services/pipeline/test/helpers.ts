/** The pipeline tests' API Gateway event builders: the shared ones in test/support. */
export { context, httpEvent, parse } from '../../../test/support/http-events.js'
