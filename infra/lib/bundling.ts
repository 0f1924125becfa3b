import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'

/**
 * esbuild settings shared by every function (DESIGN §6/§7): ESM, minified, tree-shaken, no source
 * maps. The banner gives CommonJS dependencies that call `require` a working one inside an ES module.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  // Prefer the ESM build of a dependency: esbuild can only tree-shake what it sees as ES modules.
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: false,
  // Bundle the AWS SDK instead of using the runtime's copy, so production runs the exact client
  // versions the tests ran and only the commands a function imports are shipped.
  bundleAwsSDK: true,
  // On by default when bundling; stated so that nobody turns it off by accident.
  esbuildArgs: { '--tree-shaking': 'true' },
  banner:
    "import { createRequire as __relayCreateRequire } from 'node:module';const require = __relayCreateRequire(import.meta.url);",
}
