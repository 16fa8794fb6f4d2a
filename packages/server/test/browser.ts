import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether browser tests can run here. On CI they must: a missing Chromium fails instead of skipping. */
export function browserAvailable(): boolean {
  const available = fs.existsSync(CHROMIUM_PATH);
  if (!available && process.env.CI === 'true') {
    throw new Error(`Chromium is required on CI at ${CHROMIUM_PATH} (apt-get install chromium)`);
  }
  return available;
}

/** Debian's Chromium, headless, with the network chatter that this machine refuses turned off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Where screenshots go: test-artifacts/ at the repository root (ignored by git, kept by CI). */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
