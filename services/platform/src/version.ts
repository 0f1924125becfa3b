import pkg from '../../../package.json' with { type: 'json' }

/** The product's version (root package.json), as /health and the OpenAPI document report it. */
export const VERSION: string = pkg.version
