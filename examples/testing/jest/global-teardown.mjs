export default async function globalTeardown() {
  await globalThis.__INBOXD__?.stop();
}
