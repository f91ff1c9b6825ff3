// Lint: typescript-eslint's recommended rules, plus the layer rules of STYLE.md enforced as
// import restrictions per folder (imports point inward only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'web/dist/', 'sdk/dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // tests read JSON bodies of any shape; asserting on them is the point
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // plain-JavaScript examples run on Node: its globals, as a user's test file sees them
    files: ['examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', fetch: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // core/ holds the domain and its ports (Store, Bus, Mime, Clock): nothing outside it, no driver
    files: ['src/core/**/*.ts'],
    rules: restrict([
      { group: ['../*', '../../*'], message: 'core/ imports nothing outside core/ (its ports live in core/; adapters implement them)' },
      { group: ['fastify', '@fastify/*', 'smtp-server', 'pg', 'better-sqlite3', 'ioredis', 'ws', 'piscina', 'postal-mime', 'node:http', 'node:https', 'node:tls', 'node:dns', 'node:dns/promises'], message: 'core/ imports no driver or framework' },
    ]),
  },
  {
    // a folder inside core/ (core/extract/) reaches the rest of core/ through '../', never further out
    files: ['src/core/*/**/*.ts'],
    rules: restrict([
      { group: ['../../*'], message: 'core/ imports nothing outside core/ (its ports live in core/; adapters implement them)' },
      { group: ['fastify', '@fastify/*', 'smtp-server', 'pg', 'better-sqlite3', 'ioredis', 'ws', 'piscina', 'postal-mime', 'node:http', 'node:https', 'node:tls', 'node:dns', 'node:dns/promises'], message: 'core/ imports no driver or framework' },
    ]),
  },
  {
    files: ['src/store/sqlite/**/*.ts'],
    rules: restrict([{ group: ['**/store/postgres/**', '**/http/**', '**/smtp/**', '**/mcp/**'], message: 'a store implementation imports only core types and its driver' }]),
  },
  {
    files: ['src/store/postgres/**/*.ts'],
    rules: restrict([{ group: ['**/store/sqlite/**', '**/http/**', '**/smtp/**', '**/mcp/**'], message: 'a store implementation imports only core types and its driver' }]),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: restrict([{ group: ['**/smtp/**', '**/mcp/**', '**/store/sqlite/**', '**/store/postgres/**', '**/bus/redis*', '**/bus/memory*'], message: 'an edge never calls another edge or a concrete store/bus' }]),
  },
  {
    files: ['src/smtp/**/*.ts'],
    rules: restrict([{ group: ['**/http/**', '**/mcp/**', '**/store/**', '**/bus/**'], message: 'an edge never calls another edge or a store/bus directly' }]),
  },
  {
    // the SES adapter is edge-side: it calls core/ (delivery) and reads config; the route that serves it lives in http/
    files: ['src/ses/**/*.ts'],
    rules: restrict([
      { group: ['**/http/**', '**/smtp/**', '**/mcp/**', '**/cli/**', '**/sweeper/**', '**/store/**', '**/bus/**'], message: 'the SES adapter reaches storage only through core/delivery' },
      { group: ['fastify', '@fastify/*', 'smtp-server', 'pg', 'better-sqlite3', 'ioredis', 'ws'], message: 'the SES adapter imports no framework or driver (the AWS SDK only, in s3.ts)' },
    ]),
  },
  {
    // the webhook adapter is edge-side: the HTTP client, signing and target checks behind core's
    // dispatcher (core/webhooks/); it reads no store or bus, and calls no other edge
    files: ['src/webhooks/**/*.ts'],
    rules: restrict([
      { group: ['**/http/**', '**/smtp/**', '**/mcp/**', '**/cli/**', '**/sweeper/**', '**/store/**', '**/bus/**', '**/ses/**'], message: 'the webhook adapter reaches storage only through core/ (the dispatcher hands it what to send)' },
      { group: ['fastify', '@fastify/*', 'smtp-server', 'pg', 'better-sqlite3', 'ioredis', 'ws'], message: 'the webhook adapter imports no framework or driver (node:http/https only)' },
    ]),
  },
  {
    files: ['sdk/**/*.ts'],
    rules: restrict([{ group: ['**/src/**', '../../*', 'node:*', 'fastify', '@fastify/*', 'smtp-server', 'pg', 'better-sqlite3', 'ioredis', 'nodemailer'], message: 'the SDK imports nothing from the server and runs in browsers: fetch + WebSocket only' }]),
  },
  {
    files: ['src/cli/client.ts'],
    rules: restrict([{ group: ['../*', './*', '!./token-file.js'], message: 'the client commands go through @inboxd/sdk only (never core/ or store/)' }]),
  },
  {
    files: ['src/mcp/**/*.ts'],
    rules: restrict([{ group: ['**/http/**', '**/smtp/**', '**/store/**', '**/bus/**', '**/ses/**', '**/sweeper/**'], message: 'an edge never calls another edge, a store or a bus: it goes through core/' }]),
  },
  {
    // the browser UI talks to the server only over HTTP, through the SDK package
    files: ['web/**/*.ts'],
    rules: restrict([{ group: ['../../src/*', '../../../src/*', '**/src/core/**', '**/src/presenters/**'], message: 'web/ imports @inboxd/sdk, never server code' }]),
  },
  {
    // edges go through core functions; they never reach into the store or the bus themselves.
    // health.ts is the exception by name: it asks each of them whether it is alive.
    files: ['src/http/**/*.ts', 'src/smtp/**/*.ts', 'src/mcp/**/*.ts', 'src/ses/**/*.ts', 'src/webhooks/**/*.ts'],
    ignores: ['src/http/routes/health.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name=/^(store|bus)$/]", message: 'edges reach storage and the bus only through core/ functions' },
        { selector: "VariableDeclarator > ObjectPattern > Property[key.name=/^(store|bus)$/]", message: 'edges reach storage and the bus only through core/ functions' },
      ],
    },
  },
);
