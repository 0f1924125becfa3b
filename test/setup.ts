// Registers aws-sdk-client-mock's matchers (toReceiveCommandWith, ...) once for every test file.
import 'aws-sdk-client-mock-vitest/extend'
