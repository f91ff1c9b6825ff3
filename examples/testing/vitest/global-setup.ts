// Vitest global setup: one real Inboxd for the run, stopped at the end. No Docker, no server
// started by hand: it runs inside the Vitest process on free ports.
import { startInboxd } from 'inboxd/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    inboxd: { url: string; apiKey: string; smtpHost: string; smtpPort: number };
  }
}

export default async function setup(project: TestProject) {
  const inboxd = await startInboxd();
  project.provide('inboxd', { url: inboxd.url, apiKey: inboxd.apiKey, smtpHost: inboxd.smtp.host, smtpPort: inboxd.smtp.port });
  return () => inboxd.stop();
}
