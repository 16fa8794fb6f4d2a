import type { Scheduler } from '../../src/worker/scheduler.js';
import { FlowClient, newSession } from '../connect/flow-client.js';
import type { TestServer } from '../harness.js';

/**
 * Connects an end user's platforms through the real hosted flow of a sandbox app (HTTP level),
 * choosing the first account where the sandbox offers a picker (Facebook, Instagram).
 */
export async function connectSandbox(
  server: TestServer,
  key: string,
  externalUserId: string,
  platforms: string[],
): Promise<void> {
  for (const platform of platforms) {
    const session = await newSession(server, key, { externalUserId, platform });
    const browser = new FlowClient(server);
    const authorize = await browser.start(session.connectUrl);
    const callback = await browser.sandboxDecide(authorize, 'approve');
    let step = await browser.fetch(callback);
    if (step.location?.includes(`/connect/${session.id}`)) {
      // The picker: take the first (preselected) option and continue.
      const picker = await browser.fetch(step.location);
      const account = /name="account" value="([^"]+)"/.exec(picker.text)?.[1];
      if (!account) throw new Error(`no picker option for ${platform}: ${picker.text.slice(0, 200)}`);
      step = await browser.fetch(`/connect/${session.id}/select`, { form: { account } });
    }
    const landed = new URL(step.location ?? 'http://invalid/');
    if (landed.searchParams.get('status') !== 'connected') {
      throw new Error(`connecting ${platform} ended ${step.status} ${step.location}`);
    }
  }
}

/** Runs scheduler passes until nothing is due and nothing is running. */
export async function drain(scheduler: Scheduler): Promise<void> {
  for (let pass = 0; pass < 1000; pass += 1) {
    const claimed = await scheduler.runOnce();
    await scheduler.idle();
    if (claimed === 0) return;
  }
  throw new Error('the scheduler did not drain');
}

/** The reference's publish body (api-reference.txt, "POST /v1/posts"). */
export const referencePublishBody = (externalUserId: string) => ({
  externalUserId,
  title: 'Launch update',
  content: 'Testing mypostshare direct posting from docs.',
  platforms: ['linkedin'],
  metadata: { source: 'api-docs' },
});

/** The reference's schedule body, with a future `scheduleAt`. */
export const referenceScheduleBody = (externalUserId: string, scheduleAt: string) => ({
  externalUserId,
  content: 'Scheduled via mypostshare docs page.',
  platforms: ['linkedin', 'twitter'],
  scheduleAt,
  metadata: { campaign: 'launch-week' },
});
