/**
 * The one-time secret form in a real browser: headless Chromium (Debian's `chromium`
 * package) driven by playwright-core. It proves what an HTTP client cannot: the secret
 * fields are masked, the page's one style passes its own Content-Security-Policy (a
 * violation would show on the console), the browser's own post is accepted, and opening
 * the link again shows it is spent. Skipped, saying why, where no Chromium is installed.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { SetupView } from '../src/domain/state';
import { BUTTONS, FIELDS } from '../src/slack/ids';
import type { Harness } from './support/harness';
import { CHANNEL, checklistWhen, clickChecklist, linksTo, nextLink, startSlackWorld, stateWhen, users, type SlackWorld } from './support/slack-world';
import { useWorld } from './support/world';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
const maybe = installed ? test : test.skip;

let h: Harness;
useWorld((w) => ({ h } = w));

let world: SlackWorld | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await world?.close();
});

const stepOf = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

maybe(`the form in Chromium: masked fields, its CSP holds, the post is accepted, the link is then spent${installed ? '' : ` (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH)`}`, async () => {
  const w = await startSlackWorld(h);
  world = w;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await w.worker.runUntil(async () => {
    await w.driver.slash(users.alice, 'start browsed', { channel: CHANNEL });
    await clickChecklist(w, users.alice, BUTTONS.confirmRedirect);
    await checklistWhen(w, (t) => t.includes(BUTTONS.openCredentials), 'the credentials button');
    const seen = linksTo(w, users.alice);
    await clickChecklist(w, users.alice, BUTTONS.openCredentials);
    const link = await nextLink(w, users.alice, seen);

    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(await page.getAttribute(`#${FIELDS.sandboxSecret}`, 'type')).toBe('password');
    expect(await page.getAttribute(`#${FIELDS.developmentSecret}`, 'type')).toBe('password');
    // The style ran: the CSP's hash matches the page's one style block.
    expect(await page.$eval('button', (b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor)).toBe('rgb(0, 122, 90)');

    await page.fill(`#${FIELDS.clientId}`, h.clientId);
    await page.fill(`#${FIELDS.sandboxSecret}`, h.client.secrets.sandbox);
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    await page.waitForSelector('h1');
    expect(await page.textContent('h1')).toBe('Saved to the vault');
    expect(await page.content()).not.toContain(h.client.secrets.sandbox);
    await stateWhen(w, 'browsed', (v) => stepOf(v, 'sandbox_credentials').status === 'done', 'credentials from the browser');
    // No CSP violation, no script error on either page.
    expect(problems).toEqual([]);

    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('This link was already used');
  });
});
