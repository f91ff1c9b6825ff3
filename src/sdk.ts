/**
 * `inboxd/sdk`: the client SDK (the `@inboxd/sdk` workspace, bundled into this package) under the
 * server package's name, so one install gives the server, the CLI, the SDK and the test helpers.
 * Its public surface is defined once, in sdk/src/index.ts; this file only passes it through.
 */
export * from '@inboxd/sdk';
