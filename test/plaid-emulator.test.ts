/**
 * The Plaid emulator over raw HTTP: each endpoint's answers, the Item lifecycle, the
 * refusals Plaid makes (credentials, environments, Link configuration, request bodies,
 * routes), injected faults and latency, and the request log. When Plaid's OpenAPI spec is
 * on this machine, every response received here must validate against it and carry no
 * field it does not declare.
 */
import { demoClient, PlaidEmulator, type EmulatedClient, type PlaidFlavour } from '../src/emulators/plaid';
import { runPlaidEmulator } from '../src/emulators/plaid/main';
import { loadPlaidSpec, PLAID_SPEC_PATH } from './support/plaid-spec';

const spec = loadPlaidSpec();

const REDIRECT = 'https://plaid.codat.io/oauth/callback';

interface ErrorBody {
  error_type: string;
  error_code: string;
  error_message: string;
  display_message: null;
  request_id: string;
}
interface Institution {
  institution_id: string;
  name: string;
  country_codes: string[];
  products: string[];
  oauth: boolean;
  url?: string;
}
interface Account {
  account_id: string;
  mask: string;
  name: string;
  type: string;
  subtype: string;
  balances: { available: number | null; current: number | null; limit: number | null };
}
interface Transaction {
  transaction_id: string;
  account_id: string;
  name: string;
  original_description: string | null;
}
interface SyncBody {
  transactions_update_status: string;
  accounts: Account[];
  added: Transaction[];
  modified: unknown[];
  removed: unknown[];
  next_cursor: string;
  has_more: boolean;
}

interface Reply<T> {
  status: number;
  body: T;
}

type Credentials = 'headers' | 'body' | 'none';

interface CallOptions {
  flavour?: PlaidFlavour;
  /** Who calls; defaults to the suite's client. */
  client?: EmulatedClient;
  /** How client_id and secret travel; default headers, as the official SDK sends them. */
  credentials?: Credentials;
  /** Overrides the client's secret for the flavour. */
  secret?: string;
  signal?: AbortSignal;
}

/** Responses seen by this file, checked against the spec as they arrive. */
let specChecked = 0;

/** The spec describes errors for every operation by the same PlaidError default response. */
const ANY_SPEC_OPERATION = '/item/remove';
const SPEC_PATHS = new Set(['/institutions/get', '/link/token/create', '/sandbox/public_token/create', '/item/public_token/exchange', '/accounts/get', '/transactions/sync', '/item/remove']);

function expectMatchesSpec(path: string, status: number, body: unknown): void {
  if (!spec) return;
  const specPath = SPEC_PATHS.has(path) ? path : ANY_SPEC_OPERATION;
  expect({ path, status, errors: spec.validateResponse(specPath, status, body).errors }).toEqual({ path, status, errors: [] });
  expect({ path, status, undeclared: spec.undeclaredResponseFields(specPath, status, body) }).toEqual({ path, status, undeclared: [] });
  specChecked += 1;
}

let emulator: PlaidEmulator;
let client: EmulatedClient;
/** Every secret this file's clients hold, for the scan of the request log. */
const secrets: string[] = [];

/** A client registered with the suite's emulator. */
function newClient(overrides: Partial<EmulatedClient> = {}): EmulatedClient {
  const created = demoClient(overrides);
  emulator.addClient(created);
  secrets.push(...Object.values(created.secrets).filter((s): s is string => s !== undefined));
  return created;
}

function urlFor(flavour: PlaidFlavour, path: string): string {
  return `${flavour === 'sandbox' ? emulator.sandboxUrl : emulator.productionUrl}${path}`;
}

/** Sends a raw request body (or none) and reads the JSON answer. */
async function send<T>(path: string, init: RequestInit, flavour: PlaidFlavour = 'sandbox'): Promise<Reply<T>> {
  const response = await fetch(urlFor(flavour, path), init);
  const body = (await response.json()) as T;
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expectMatchesSpec(path, response.status, body);
  return { status: response.status, body };
}

/** POSTs a JSON body the way a Plaid client does. */
function call<T = ErrorBody>(path: string, body: Record<string, unknown>, options: CallOptions = {}): Promise<Reply<T>> {
  const flavour = options.flavour ?? 'sandbox';
  const who = options.client ?? client;
  const secret = options.secret ?? who.secrets[flavour] ?? 'no-secret-for-this-flavour';
  const credentials = options.credentials ?? 'headers';
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (credentials === 'headers') Object.assign(headers, { 'PLAID-CLIENT-ID': who.clientId, 'PLAID-SECRET': secret });
  const payload = credentials === 'body' ? { client_id: who.clientId, secret, ...body } : body;
  return send<T>(path, { method: 'POST', headers, body: JSON.stringify(payload), ...(options.signal ? { signal: options.signal } : {}) }, flavour);
}

function expectError(reply: Reply<unknown>, status: number, errorType: string, errorCode: string): ErrorBody {
  const body = reply.body as ErrorBody;
  expect({ status: reply.status, error_type: body.error_type, error_code: body.error_code }).toEqual({ status, error_type: errorType, error_code: errorCode });
  expect(body.display_message).toBeNull();
  expect(body.request_id).toMatch(/^[A-Za-z0-9]{15}$/);
  return body;
}

const LINK_REQUEST = {
  client_name: 'Codat',
  language: 'en',
  country_codes: ['US', 'CA'],
  user: { client_user_id: 'plaid-setup-check-acme' },
  products: ['transactions'],
  redirect_uri: REDIRECT,
};

/** Creates and exchanges a Sandbox Item; returns its access token. */
async function newItem(): Promise<string> {
  const created = await call<{ public_token: string }>('/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['transactions'] });
  expect(created.status).toBe(200);
  const exchanged = await call<{ access_token: string }>('/item/public_token/exchange', { public_token: created.body.public_token });
  expect(exchanged.status).toBe(200);
  return exchanged.body.access_token;
}

/** Syncs until the first pull is done, returning the first page with transactions. */
async function firstReadyPage(accessToken: string, count: number): Promise<SyncBody> {
  for (let poll = 0; poll < 5; poll += 1) {
    const page = await call<SyncBody>('/transactions/sync', { access_token: accessToken, count });
    expect(page.status).toBe(200);
    if (page.body.transactions_update_status !== 'NOT_READY') return page.body;
  }
  throw new Error('transactions never became ready');
}

beforeAll(async () => {
  emulator = await PlaidEmulator.start();
  client = newClient({ linkCustomizations: ['codat'] });
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
  // Secrets went out as headers and in bodies all through this file; none may be in the log.
  const log = JSON.stringify(emulator.requests);
  expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
  expect(emulator.requests.some((r) => (r.body as { secret?: string } | undefined)?.secret === '[redacted]')).toBe(true);
  await emulator.close();
  // Guards against the spec checks silently not running.
  if (spec) expect(specChecked).toBeGreaterThan(50);
});

describe('Plaid spec', () => {
  if (spec) {
    test('the requests this file sends as valid are valid for the spec', () => {
      for (const [path, body] of [
        ['/institutions/get', { count: 10, offset: 0, country_codes: ['US'], options: { include_optional_metadata: true } }],
        ['/link/token/create', LINK_REQUEST],
        ['/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['transactions'] }],
        ['/item/public_token/exchange', { public_token: 'public-sandbox-x' }],
        ['/accounts/get', { access_token: 'access-sandbox-x', options: { account_ids: ['a'] } }],
        ['/transactions/sync', { access_token: 'access-sandbox-x', count: 10, cursor: 'c', options: { include_original_description: true } }],
        ['/item/remove', { access_token: 'access-sandbox-x' }],
      ] as const) {
        expect({ path, errors: spec.validateRequest(path, body).errors }).toEqual({ path, errors: [] });
      }
    });
  } else {
    test.skip(`responses are not checked against the spec: ${PLAID_SPEC_PATH} is absent`, () => undefined);
  }
});

describe('/institutions/get', () => {
  test('lists the institutions of the requested countries, paged by count and offset, with the total', async () => {
    const all = await call<{ institutions: Institution[]; total: number; request_id: string }>('/institutions/get', { count: 500, offset: 0, country_codes: ['US'] });
    expect(all.status).toBe(200);
    expect(all.body.request_id).toMatch(/^[A-Za-z0-9]{15}$/);
    expect(all.body.total).toBe(all.body.institutions.length);
    expect(all.body.institutions.every((i) => i.country_codes.includes('US'))).toBe(true);
    expect(all.body.institutions).toContainEqual(expect.objectContaining({ institution_id: 'ins_109508', name: 'First Platypus Bank', oauth: false }));

    const page = await call<{ institutions: Institution[]; total: number }>('/institutions/get', { count: 2, offset: 1, country_codes: ['US'] });
    expect(page.body.total).toBe(all.body.total);
    expect(page.body.institutions.map((i) => i.institution_id)).toEqual(all.body.institutions.slice(1, 3).map((i) => i.institution_id));

    const gb = await call<{ institutions: Institution[]; total: number }>('/institutions/get', { count: 10, offset: 0, country_codes: ['GB'] });
    expect(gb.body.institutions.map((i) => i.name)).toEqual(['Flexible Platypus Open Banking', 'Royal Bank of Plaid']);
  });

  test('options filter by product and OAuth, and add the optional metadata', async () => {
    const oauth = await call<{ institutions: Institution[] }>('/institutions/get', {
      count: 10,
      offset: 0,
      country_codes: ['US'],
      options: { oauth: true, products: ['investments'], include_optional_metadata: true },
    });
    expect(oauth.body.institutions.map((i) => i.institution_id)).toEqual(['ins_127287', 'ins_3']);
    expect(oauth.body.institutions[0]?.url).toBeDefined();

    const byRouting = await call<{ institutions: Institution[] }>('/institutions/get', { count: 10, offset: 0, country_codes: ['US'], options: { routing_numbers: ['011401533', '12345'] } });
    expect(byRouting.body.institutions.map((i) => i.institution_id)).toEqual(['ins_109508']);
    const noneValid = await call('/institutions/get', { count: 10, offset: 0, country_codes: ['US'], options: { routing_numbers: ['12345'] } });
    expect(expectError(noneValid, 400, 'INVALID_REQUEST', 'INVALID_FIELD').error_message).toMatch(/routing_numbers/);
  });

  test('Production lists no Sandbox test institution', async () => {
    const reply = await call<{ institutions: Institution[]; total: number }>('/institutions/get', { count: 500, offset: 0, country_codes: ['US', 'CA'] }, { flavour: 'production' });
    expect(reply.status).toBe(200);
    expect(reply.body.institutions.map((i) => i.institution_id)).toEqual(['ins_1', 'ins_3']);
  });
});

describe('/link/token/create', () => {
  test.each(['sandbox', 'production'] as const)('answers a %s link token that expires four hours later', async (flavour) => {
    const before = Date.now();
    const reply = await call<{ link_token: string; expiration: string }>('/link/token/create', LINK_REQUEST, { flavour });
    expect(reply.status).toBe(200);
    expect(reply.body.link_token).toMatch(new RegExp(`^link-${flavour}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
    const expiresIn = Date.parse(reply.body.expiration) - before;
    expect(expiresIn).toBeGreaterThan(4 * 3_600_000 - 5_000);
    expect(expiresIn).toBeLessThanOrEqual(4 * 3_600_000 + 5_000);
  });

  test('refuses a redirect URI that is not on the allow-list exactly', async () => {
    for (const redirect_uri of ['https://evil.example/callback', `${REDIRECT}/`, '']) {
      const body = expectError(await call('/link/token/create', { ...LINK_REQUEST, redirect_uri }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
      expect(body.error_message).toMatch(/redirect/i);
    }
  });

  test('refuses country codes the client is not enabled for in that environment, naming them', async () => {
    expect((await call('/link/token/create', { ...LINK_REQUEST, country_codes: ['GB', 'FR'] })).status).toBe(200);
    const body = expectError(
      await call('/link/token/create', { ...LINK_REQUEST, country_codes: ['US', 'GB', 'FR'] }, { flavour: 'production' }),
      400,
      'INVALID_REQUEST',
      'INVALID_FIELD',
    );
    expect(body.error_message).toMatch(/country/i);
    expect(body.error_message).toContain('GB, FR');
    expect(body.error_message).not.toContain('US');
  });

  test('refuses an unknown Link customization and accepts the client\'s and "default"', async () => {
    const body = expectError(await call('/link/token/create', { ...LINK_REQUEST, link_customization_name: 'nope' }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
    expect(body.error_message).toContain('link_customization_name');
    expect(body.error_message).toContain('nope');
    for (const name of ['codat', 'default']) expect((await call('/link/token/create', { ...LINK_REQUEST, link_customization_name: name })).status).toBe(200);
  });

  test('requires user (or user_id) and products, and refuses balance as a Link product', async () => {
    const rest = { client_name: 'Codat', language: 'en', country_codes: ['US'], redirect_uri: REDIRECT };
    expect(expectError(await call('/link/token/create', rest), 400, 'INVALID_REQUEST', 'MISSING_FIELDS').error_message).toBe(
      'the following required fields are missing: user, products',
    );
    expect(expectError(await call('/link/token/create', { ...LINK_REQUEST, user: {} }), 400, 'INVALID_REQUEST', 'MISSING_FIELDS').error_message).toContain('user.client_user_id');
    expect((await call('/link/token/create', { ...rest, user_id: 'usr_123', products: ['auth'] })).status).toBe(200);
    expectError(await call('/link/token/create', { ...LINK_REQUEST, products: ['balance'] }), 400, 'INVALID_INPUT', 'INVALID_PRODUCT');
    expectError(await call('/link/token/create', { ...LINK_REQUEST, products: [] }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
    expectError(await call('/link/token/create', { ...LINK_REQUEST, language: 'xx' }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
  });
});

describe('products the Plaid team may use', () => {
  test('Link and Sandbox Items refuse a product the team may not use in that environment, with Plaid\'s wording', async () => {
    const limited = newClient({ enabledProducts: { sandbox: ['auth', 'transactions'], production: ['transactions'] } });
    const link = { ...LINK_REQUEST, products: ['auth', 'identity', 'transactions', 'assets'] };
    const sandbox = expectError(await call('/link/token/create', link, { client: limited }), 400, 'INVALID_INPUT', 'INVALID_PRODUCT');
    expect(sandbox.error_message).toBe('client is not authorized to access the following products: ["identity","assets"]');
    const production = expectError(await call('/link/token/create', { ...link, country_codes: ['US'] }, { client: limited, flavour: 'production' }), 400, 'INVALID_INPUT', 'INVALID_PRODUCT');
    expect(production.error_message).toBe('client is not authorized to access the following products: ["auth","identity","assets"]');
    expect((await call('/link/token/create', { ...LINK_REQUEST, products: ['auth', 'transactions'] }, { client: limited })).status).toBe(200);

    const item = expectError(
      await call('/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['transactions', 'assets'] }, { client: limited }),
      400,
      'INVALID_INPUT',
      'INVALID_PRODUCT',
    );
    expect(item.error_message).toBe('client is not authorized to access the following products: ["assets"]');
  });
});

describe('the Item lifecycle', () => {
  test('create, exchange, read accounts, sync NOT_READY then pages of transactions, remove; the token is then refused', async () => {
    const created = await call<{ public_token: string }>('/sandbox/public_token/create', {
      institution_id: 'ins_109508',
      initial_products: ['transactions'],
      options: { webhook: 'https://example.com/hook' },
    });
    expect(created.status).toBe(200);
    expect(created.body.public_token).toMatch(/^public-sandbox-[0-9a-f-]{36}$/);

    const exchanged = await call<{ access_token: string; item_id: string }>('/item/public_token/exchange', { public_token: created.body.public_token });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.access_token).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    const { access_token, item_id } = exchanged.body;
    expect(emulator.items().find((i) => i.itemId === item_id)).toMatchObject({ flavour: 'sandbox', clientId: client.clientId, institutionId: 'ins_109508', exchanged: true });
    expect(emulator.unremovedItems().map((i) => i.itemId)).toContain(item_id);

    // A public token exchanges once.
    expectError(await call('/item/public_token/exchange', { public_token: created.body.public_token }), 400, 'INVALID_INPUT', 'INVALID_PUBLIC_TOKEN');

    const accounts = await call<{ accounts: Account[]; item: Record<string, unknown> }>('/accounts/get', { access_token });
    expect(accounts.status).toBe(200);
    expect(accounts.body.accounts.map((a) => `${a.name} ${a.type}/${a.subtype} ${a.mask}`)).toEqual([
      'Plaid Checking depository/checking 0000',
      'Plaid Saving depository/savings 1111',
      'Plaid CD depository/cd 2222',
      'Plaid Credit Card credit/credit card 3333',
      'Plaid Money Market depository/money market 4444',
      'Plaid IRA investment/ira 5555',
      'Plaid 401k investment/401k 6666',
      'Plaid Student Loan loan/student 7777',
      'Plaid Mortgage loan/mortgage 8888',
    ]);
    expect(accounts.body.accounts[0]?.balances).toMatchObject({ available: 100, current: 110, limit: null });
    expect(accounts.body.item).toMatchObject({
      item_id,
      institution_id: 'ins_109508',
      institution_name: 'First Platypus Bank',
      webhook: 'https://example.com/hook',
      error: null,
      billed_products: ['transactions'],
      update_type: 'background',
    });

    const notReady = await call<SyncBody>('/transactions/sync', { access_token });
    expect(notReady.body).toMatchObject({ transactions_update_status: 'NOT_READY', added: [], modified: [], removed: [], has_more: false, next_cursor: '' });

    const seen: string[] = [];
    let page = await call<SyncBody>('/transactions/sync', { access_token, count: 12 });
    const pages = [page.body];
    while (page.body.has_more) {
      page = await call<SyncBody>('/transactions/sync', { access_token, count: 12, cursor: page.body.next_cursor });
      pages.push(page.body);
    }
    for (const p of pages) seen.push(...p.added.map((t) => t.transaction_id));
    expect(pages.map((p) => [p.transactions_update_status, p.added.length, p.has_more])).toEqual([
      ['HISTORICAL_UPDATE_COMPLETE', 12, true],
      ['HISTORICAL_UPDATE_COMPLETE', 12, true],
      ['HISTORICAL_UPDATE_COMPLETE', 6, false],
    ]);
    expect(new Set(seen).size).toBe(30);
    const accountIds = new Set(pages[0]?.accounts.map((a) => a.name));
    expect(accountIds).toEqual(new Set(['Plaid Checking', 'Plaid Saving', 'Plaid Credit Card']));

    // The last cursor has nothing new.
    const after = await call<SyncBody>('/transactions/sync', { access_token, cursor: page.body.next_cursor });
    expect(after.body).toMatchObject({ added: [], has_more: false, next_cursor: page.body.next_cursor });

    expect((await call<Record<string, unknown>>('/item/remove', { access_token })).body).toEqual({ request_id: expect.stringMatching(/^[A-Za-z0-9]{15}$/) });
    expect(emulator.items().find((i) => i.itemId === item_id)?.removedAt).toEqual(expect.any(String));
    expect(emulator.unremovedItems().map((i) => i.itemId)).not.toContain(item_id);

    for (const path of ['/accounts/get', '/transactions/sync', '/item/remove']) {
      expectError(await call(path, { access_token }), 400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN');
    }
  });

  test('unremovedItems() counts every Item created and not removed, exchanged or not', async () => {
    const own = demoClient();
    const fresh = await PlaidEmulator.start({ clients: [own] });
    try {
      const post = (path: string, body: object) =>
        fetch(`${fresh.sandboxUrl}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'PLAID-CLIENT-ID': own.clientId, 'PLAID-SECRET': own.secrets.sandbox },
          body: JSON.stringify(body),
        }).then(async (r) => (await r.json()) as Record<string, string>);
      const create = { institution_id: 'ins_109508', initial_products: ['transactions'] };
      await post('/sandbox/public_token/create', create);
      const { public_token } = await post('/sandbox/public_token/create', create);
      expect(fresh.unremovedItems()).toHaveLength(2);
      const { access_token } = await post('/item/public_token/exchange', { public_token });
      await post('/item/remove', { access_token });
      expect(fresh.unremovedItems()).toEqual([expect.objectContaining({ exchanged: false })]);
    } finally {
      await fresh.close();
    }
  });

  test('NOT_READY lasts for transactionsNotReadyPolls calls', async () => {
    const own = demoClient();
    const slow = await PlaidEmulator.start({ clients: [own], transactionsNotReadyPolls: 3 });
    try {
      const post = (path: string, body: object) =>
        fetch(`${slow.sandboxUrl}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'PLAID-CLIENT-ID': own.clientId, 'PLAID-SECRET': own.secrets.sandbox },
          body: JSON.stringify(body),
        }).then(async (r) => (await r.json()) as Record<string, unknown>);
      const { public_token } = await post('/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['transactions'] });
      const { access_token } = await post('/item/public_token/exchange', { public_token });
      const statuses: unknown[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await post('/transactions/sync', { access_token })).transactions_update_status);
      expect(statuses).toEqual(['NOT_READY', 'NOT_READY', 'NOT_READY', 'HISTORICAL_UPDATE_COMPLETE']);
    } finally {
      await slow.close();
    }
  });

  test('/sandbox/public_token/create refuses an unknown institution and requires initial_products', async () => {
    expectError(await call('/sandbox/public_token/create', { institution_id: 'ins_999999', initial_products: ['transactions'] }), 400, 'INVALID_INPUT', 'INVALID_INSTITUTION');
    expect(expectError(await call('/sandbox/public_token/create', { institution_id: 'ins_109508' }), 400, 'INVALID_REQUEST', 'MISSING_FIELDS').error_message).toBe(
      'the following required fields are missing: initial_products',
    );
  });

  test('tokens only work for the client and environment that own them', async () => {
    const other = newClient();
    const created = await call<{ public_token: string }>('/sandbox/public_token/create', { institution_id: 'ins_109508', initial_products: ['auth'] });
    expectError(await call('/item/public_token/exchange', { public_token: created.body.public_token }, { client: other }), 400, 'INVALID_INPUT', 'INVALID_PUBLIC_TOKEN');
    expectError(await call('/item/public_token/exchange', { public_token: 'public-sandbox-00000000-0000-0000-0000-000000000000' }), 400, 'INVALID_INPUT', 'INVALID_PUBLIC_TOKEN');

    const accessToken = await newItem();
    expectError(await call('/accounts/get', { access_token: accessToken }, { client: other }), 400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN');
    expectError(await call('/accounts/get', { access_token: accessToken }, { flavour: 'production' }), 400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN');
    expect((await call('/item/remove', { access_token: accessToken })).status).toBe(200);
  });

  test('/accounts/get narrows to options.account_ids and refuses an id the Item does not have', async () => {
    const accessToken = await newItem();
    const all = await call<{ accounts: Account[] }>('/accounts/get', { access_token: accessToken });
    const [first, second] = all.body.accounts;
    const some = await call<{ accounts: Account[] }>('/accounts/get', { access_token: accessToken, options: { account_ids: [second?.account_id, first?.account_id] } });
    expect(some.body.accounts.map((a) => a.account_id)).toEqual([first?.account_id, second?.account_id]);
    expectError(await call('/accounts/get', { access_token: accessToken, options: { account_ids: ['nope'] } }), 400, 'INVALID_INPUT', 'INVALID_ACCOUNT_ID');
    await call('/item/remove', { access_token: accessToken });
  });

  test('/transactions/sync refuses a cursor of another Item or a garbled one, and honours "now", account_id and include_original_description', async () => {
    const tokenA = await newItem();
    const tokenB = await newItem();
    const pageA = await firstReadyPage(tokenA, 5);
    await firstReadyPage(tokenB, 5);
    for (const cursor of [pageA.next_cursor, 'not-a-cursor']) {
      const body = expectError(await call('/transactions/sync', { access_token: tokenB, cursor }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
      expect(body.error_message).toBe('cursor not associated with access_token');
    }
    const now = await call<SyncBody>('/transactions/sync', { access_token: tokenB, cursor: 'now' });
    expect(now.body).toMatchObject({ added: [], has_more: false });
    expect(now.body.next_cursor).not.toBe('');

    const checking = pageA.accounts.find((acc) => acc.mask === '0000');
    const only = await call<SyncBody>('/transactions/sync', {
      access_token: tokenA,
      count: 500,
      options: { account_id: checking?.account_id, include_original_description: true },
    });
    expect(only.body.added.length).toBeGreaterThan(0);
    expect(only.body.added.every((t) => t.account_id === checking?.account_id && t.original_description === t.name)).toBe(true);
    expect(only.body.accounts.map((acc) => acc.mask)).toEqual(['0000']);
    expect(pageA.added.every((t) => t.original_description === null)).toBe(true);

    for (const access_token of [tokenA, tokenB]) await call('/item/remove', { access_token });
  });
});

describe('credentials', () => {
  test('arrive as PLAID-CLIENT-ID / PLAID-SECRET headers or as client_id / secret in the body', async () => {
    for (const credentials of ['headers', 'body'] as const) {
      expect((await call('/institutions/get', { count: 1, offset: 0, country_codes: ['US'] }, { credentials })).status).toBe(200);
      expect((await call('/institutions/get', { count: 1, offset: 0, country_codes: ['US'] }, { credentials, flavour: 'production' })).status).toBe(200);
    }
  });

  test('missing ones are MISSING_FIELDS; malformed ones are INVALID_FIELD', async () => {
    const missing = expectError(await call('/institutions/get', { count: 1, offset: 0, country_codes: ['US'] }, { credentials: 'none' }), 400, 'INVALID_REQUEST', 'MISSING_FIELDS');
    expect(missing.error_message).toBe('the following required fields are missing: client_id, secret');
    const malformed = expectError(
      await call('/institutions/get', { client_id: 42, secret: client.secrets.sandbox, count: 1, offset: 0, country_codes: ['US'] }, { credentials: 'none' }),
      400,
      'INVALID_REQUEST',
      'INVALID_FIELD',
    );
    expect(malformed.error_message).toBe('client_id must be a properly formatted, non-empty string');
  });

  test('a wrong secret, an unknown client_id and a Sandbox secret sent to Production are INVALID_API_KEYS', async () => {
    const institutions = { count: 1, offset: 0, country_codes: ['US'] };
    const stranger = demoClient();
    secrets.push('f'.repeat(30), stranger.secrets.sandbox);
    const wrongSecret = expectError(await call('/institutions/get', institutions, { secret: 'f'.repeat(30) }), 400, 'INVALID_INPUT', 'INVALID_API_KEYS');
    expect(wrongSecret.error_message).toBe('invalid client_id or secret provided');
    expectError(await call('/institutions/get', institutions, { client: stranger, credentials: 'body' }), 400, 'INVALID_INPUT', 'INVALID_API_KEYS');
    expectError(await call('/institutions/get', institutions, { flavour: 'production', secret: client.secrets.sandbox }), 400, 'INVALID_INPUT', 'INVALID_API_KEYS');
    expectError(await call('/institutions/get', institutions, { flavour: 'sandbox', secret: client.secrets.production }), 400, 'INVALID_INPUT', 'INVALID_API_KEYS');
  });

  test('a client without Production access gets UNAUTHORIZED_ENVIRONMENT from Production only', async () => {
    const limited = newClient({ productionAccess: false });
    const institutions = { count: 1, offset: 0, country_codes: ['US'] };
    expectError(await call('/institutions/get', institutions, { client: limited, flavour: 'production' }), 400, 'INVALID_INPUT', 'UNAUTHORIZED_ENVIRONMENT');
    expect((await call('/institutions/get', institutions, { client: limited })).status).toBe(200);
    emulator.updateClient(limited.clientId, { productionAccess: true });
    expect((await call('/institutions/get', institutions, { client: limited, flavour: 'production' })).status).toBe(200);
  });
});

describe('request bodies are validated as Plaid does', () => {
  const institutions = { count: 10, offset: 0, country_codes: ['US'] };

  // The spec's request schemas do not forbid undeclared fields; Plaid's UNKNOWN_FIELDS does.
  test.each([
    ['a missing required field', { offset: 0, country_codes: ['US'] }, 'MISSING_FIELDS', 'the following required fields are missing: count', true],
    ['several missing fields', {}, 'MISSING_FIELDS', 'the following required fields are missing: count, offset, country_codes', true],
    ['an unknown field', { ...institutions, colour: 'blue' }, 'UNKNOWN_FIELDS', 'the following fields are not recognized by this endpoint: colour', false],
    ['an unknown nested field', { ...institutions, options: { oauth: true, colour: 'blue' } }, 'UNKNOWN_FIELDS', 'the following fields are not recognized by this endpoint: options.colour', false],
    ['a mistyped field', { ...institutions, count: '10' }, 'INVALID_FIELD', 'count must be an integer', true],
    ['a fractional count', { ...institutions, count: 1.5 }, 'INVALID_FIELD', 'count must be an integer', true],
    ['a count above 500', { ...institutions, count: 501 }, 'INVALID_FIELD', 'count must be at most 500', true],
    ['a negative offset', { ...institutions, offset: -1 }, 'INVALID_FIELD', 'offset must be at least 0', true],
    ['no country code', { ...institutions, country_codes: [] }, 'INVALID_FIELD', 'country_codes must be a non-empty array', true],
    ['a country code not in CountryCode', { ...institutions, country_codes: ['US', 'XX'] }, 'INVALID_FIELD', /^country_codes\[1\] must be one of US, GB, /, true],
  ])('%s', async (_what, body, code, message, specRejects) => {
    if (spec) expect(spec.validateRequest('/institutions/get', body).ok).toBe(!specRejects);
    const error = expectError(await call('/institutions/get', body), 400, 'INVALID_REQUEST', code);
    expect(error.error_message).toMatch(message);
  });

  test('a body that is not JSON, not an object, or not sent as JSON is INVALID_BODY; no Content-Type is INVALID_HEADERS', async () => {
    const headers = { 'PLAID-CLIENT-ID': client.clientId, 'PLAID-SECRET': client.secrets.sandbox };
    const json = { ...headers, 'Content-Type': 'application/json' };
    const invalidBody = [
      { method: 'POST', headers: json, body: '{"count": 1,' },
      { method: 'POST', headers: json, body: '[1, 2]' },
      { method: 'POST', headers: json },
      { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body: JSON.stringify(institutions) },
    ];
    for (const init of invalidBody) {
      const body = expectError(await send('/institutions/get', init), 400, 'INVALID_REQUEST', 'INVALID_BODY');
      expect(body.error_message).toBe('body could not be parsed as JSON');
    }
    // A byte body makes fetch send no Content-Type at all.
    const noType = await send('/institutions/get', { method: 'POST', headers, body: new TextEncoder().encode(JSON.stringify(institutions)) });
    expectError(noType, 400, 'INVALID_REQUEST', 'INVALID_HEADERS');
  });

  test('link/token/create fields are checked for type and format', async () => {
    const mistyped = expectError(await call('/link/token/create', { ...LINK_REQUEST, webhook: 'not a url' }), 400, 'INVALID_REQUEST', 'INVALID_FIELD');
    expect(mistyped.error_message).toBe('webhook must be a valid http(s) URL');
    const unknown = expectError(await call('/link/token/create', { ...LINK_REQUEST, user: { client_user_id: 'u', email: 'a@b.c' } }), 400, 'INVALID_REQUEST', 'UNKNOWN_FIELDS');
    expect(unknown.error_message).toBe('the following fields are not recognized by this endpoint: user.email');
  });
});

describe('routes', () => {
  test('/sandbox/* in Production is SANDBOX_ONLY', async () => {
    for (const path of ['/sandbox/public_token/create', '/sandbox/item/fire_webhook']) {
      const body = expectError(await call(path, { institution_id: 'ins_109508', initial_products: ['transactions'] }, { flavour: 'production' }), 400, 'INVALID_REQUEST', 'SANDBOX_ONLY');
      expect(body.error_message).toBe(`access to ${path} is only available in the sandbox environment at https://sandbox.plaid.com/`);
    }
  });

  test('an unknown path, or a method other than POST, is 404 NOT_FOUND', async () => {
    expect(expectError(await call('/no/such/endpoint', {}), 404, 'INVALID_REQUEST', 'NOT_FOUND').error_message).toBe('not found');
    expectError(await call('/accounts/balance/get', { access_token: 'access-sandbox-x' }, { flavour: 'production' }), 404, 'INVALID_REQUEST', 'NOT_FOUND');
    expectError(await send('/institutions/get', { method: 'GET' }), 404, 'INVALID_REQUEST', 'NOT_FOUND');
  });
});

describe('faults', () => {
  const institutions = { count: 1, offset: 0, country_codes: ['US'] };

  test.each([
    [429, '/institutions/get', 'RATE_LIMIT_EXCEEDED', 'INSTITUTIONS_GET_LIMIT'],
    [429, '/accounts/get', 'RATE_LIMIT_EXCEEDED', 'ACCOUNTS_LIMIT'],
    [429, '/transactions/sync', 'RATE_LIMIT_EXCEEDED', 'TRANSACTIONS_SYNC_LIMIT'],
    [429, '/item/remove', 'RATE_LIMIT_EXCEEDED', 'RATE_LIMIT'],
    [500, '/institutions/get', 'API_ERROR', 'INTERNAL_SERVER_ERROR'],
    [503, '/link/token/create', 'API_ERROR', 'PLANNED_MAINTENANCE'],
  ] as const)('a %i fault on %s answers Plaid\'s %s / %s', async (status, path, errorType, errorCode) => {
    emulator.inject(path, { kind: 'status', status });
    expectError(await call(path, {}), status, errorType, errorCode);
  });

  test('a status fault takes the type and code given', async () => {
    emulator.inject('/institutions/get', { kind: 'status', status: 429, errorCode: 'RATE_LIMIT' });
    emulator.inject('/institutions/get', { kind: 'status', status: 500, errorType: 'INSTITUTION_ERROR', errorCode: 'INSTITUTION_DOWN' });
    expectError(await call('/institutions/get', institutions), 429, 'RATE_LIMIT_EXCEEDED', 'RATE_LIMIT');
    expectError(await call('/institutions/get', institutions), 500, 'INSTITUTION_ERROR', 'INSTITUTION_DOWN');
  });

  test('`times` is honoured, then requests are answered normally', async () => {
    emulator.inject('/institutions/get', { kind: 'status', status: 503 }, { times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call('/institutions/get', institutions)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  test('a flavour-specific fault leaves the other flavour alone', async () => {
    emulator.inject('/institutions/get', { kind: 'status', status: 500 }, { flavour: 'production' });
    expect((await call('/institutions/get', institutions)).status).toBe(200);
    expect((await call('/institutions/get', institutions, { flavour: 'production' })).status).toBe(500);
  });

  test('a timeout never answers: the caller gives up with its AbortController', async () => {
    emulator.inject('/institutions/get', { kind: 'timeout' });
    const before = emulator.requests.length;
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), 300);
    await expect(call('/institutions/get', institutions, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    clearTimeout(abort);
    expect(emulator.requests.slice(before)).toEqual([expect.objectContaining({ path: '/institutions/get', status: 0, response: undefined })]);
    expect((await call('/institutions/get', institutions)).status).toBe(200);
  });

  test('a reset drops the connection without an answer', async () => {
    emulator.inject('/accounts/get', { kind: 'reset' });
    const error = await call('/accounts/get', { access_token: 'access-sandbox-x' }).then(
      () => undefined,
      (e: unknown) => e as { message: string; cause?: { code?: string } },
    );
    expect(error?.message).toBe('fetch failed');
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(error?.cause?.code);
    expectError(await call('/accounts/get', { access_token: 'access-sandbox-x' }), 400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN');
  });

  test('close() ends requests held by a timeout', async () => {
    const own = demoClient();
    const held = await PlaidEmulator.start({ clients: [own] });
    held.inject('/institutions/get', { kind: 'timeout' });
    const pending = fetch(`${held.sandboxUrl}/institutions/get`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'PLAID-CLIENT-ID': own.clientId, 'PLAID-SECRET': own.secrets.sandbox },
      body: JSON.stringify(institutions),
    });
    while (held.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await held.close();
    await expect(pending).rejects.toThrow('fetch failed');
  });

  test('latency delays every request to the path until cleared', async () => {
    emulator.setLatency('/institutions/get', 250);
    const timed = async (path: string, body: Record<string, unknown>) => {
      const started = Date.now();
      const reply = await call(path, body);
      return { status: reply.status, ms: Date.now() - started };
    };
    for (let i = 0; i < 2; i += 1) {
      const slow = await timed('/institutions/get', institutions);
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(240);
    }
    expect((await timed('/link/token/create', LINK_REQUEST)).ms).toBeLessThan(200);
    emulator.clearFaults();
    expect((await timed('/institutions/get', institutions)).ms).toBeLessThan(200);
  });

  test('a fault rate of 1 faults every request with one of its faults, 0 none; each is counted by kind', async () => {
    emulator.setFaultRate({ rate: 1, faults: [{ kind: 'status', status: 429 }, { kind: 'status', status: 500 }], seed: 7 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await call('/institutions/get', institutions, { flavour: i % 2 ? 'production' : 'sandbox' })).status);
    expect(new Set(statuses)).toEqual(new Set([429, 500]));
    const counts = emulator.faultsInjected();
    expect(counts).toEqual({ 429: statuses.filter((s) => s === 429).length, 500: statuses.filter((s) => s === 500).length });

    emulator.setFaultRate({ rate: 0, faults: [{ kind: 'timeout' }], seed: 7 });
    expect((await call('/institutions/get', institutions)).status).toBe(200);
    expect(emulator.faultsInjected()).toEqual(counts);
    emulator.clearFaults();
    expect(emulator.faultsInjected()).toEqual({});
  });

  test('a fault rate draws from its seed: the same seed faults the same requests', async () => {
    const run = async (seed: number) => {
      emulator.clearFaults();
      emulator.setFaultRate({ rate: 0.3, faults: [{ kind: 'status', status: 429 }, { kind: 'status', status: 503 }], seed });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i += 1) statuses.push((await call('/institutions/get', institutions)).status);
      return statuses;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(first.filter((s) => s !== 200).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(await run(43)).not.toEqual(first);
  });

  test('an injected fault wins over the fault rate, and clearFaults() ends the rate', async () => {
    emulator.setFaultRate({ rate: 1, faults: [{ kind: 'status', status: 500 }], seed: 1 });
    emulator.inject('/institutions/get', { kind: 'status', status: 429 });
    expect((await call('/institutions/get', institutions)).status).toBe(429);
    expect((await call('/institutions/get', institutions)).status).toBe(500);
    expect(emulator.faultsInjected()).toEqual({ 429: 1, 500: 1 });
    emulator.clearFaults();
    expect((await call('/institutions/get', institutions)).status).toBe(200);
  });

  test('inject, setLatency and setFaultRate refuse nonsense', () => {
    expect(() => emulator.inject('/institutions/get', { kind: 'timeout' }, { times: 0 })).toThrow(RangeError);
    expect(() => emulator.setLatency('/institutions/get', -1)).toThrow(RangeError);
    const timeout = [{ kind: 'timeout' } as const];
    expect(() => emulator.setFaultRate({ rate: 1.5, faults: timeout, seed: 1 })).toThrow(/fault rate must be from 0 to 1, not 1.5/);
    expect(() => emulator.setFaultRate({ rate: Number.NaN, faults: timeout, seed: 1 })).toThrow(RangeError);
    expect(() => emulator.setFaultRate({ rate: 0.2, faults: [], seed: 1 })).toThrow(/at least one fault/);
    expect(() => emulator.setFaultRate({ rate: 0.2, faults: timeout, seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});

describe('the request log', () => {
  test('records each request with its answer, the client_id and whether the secret matched, never the secret', async () => {
    const before = emulator.requests.length;
    secrets.push('wrong-secret-value-0123456789');
    await call('/institutions/get', { count: 1, offset: 0, country_codes: ['US'] }, { credentials: 'body' });
    await call('/institutions/get', { count: 1, offset: 0, country_codes: ['US'] }, { credentials: 'headers', secret: 'wrong-secret-value-0123456789' });
    const [viaBody, wrong] = emulator.requests.slice(before);
    expect(viaBody).toMatchObject({
      flavour: 'sandbox',
      path: '/institutions/get',
      clientId: client.clientId,
      secretMatched: true,
      status: 200,
      body: { client_id: client.clientId, secret: '[redacted]', count: 1 },
    });
    expect(viaBody?.seq).toBe(before + 1);
    expect(wrong).toMatchObject({ secretMatched: false, status: 400, response: expect.objectContaining({ error_code: 'INVALID_API_KEYS' }) });

    const log = JSON.stringify(emulator.requests);
    expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
  });
});

describe('runPlaidEmulator', () => {
  test('starts with one demo client and prints both URLs and its emulator-only credentials', async () => {
    const lines: string[] = [];
    const running = await runPlaidEmulator({ out: (line) => lines.push(line) });
    try {
      const text = lines.join('\n');
      expect(text).toContain(running.sandboxUrl);
      expect(text).toContain(running.productionUrl);
      expect(text).toMatch(/emulator-only/i);
      const clientId = /client_id:\s+([0-9a-f]{24})/.exec(text)?.[1];
      const sandboxSecret = /Sandbox secret:\s+([0-9a-f]{30})/.exec(text)?.[1];
      expect(clientId && sandboxSecret).toBeTruthy();
      const reply = await fetch(`${running.sandboxUrl}/institutions/get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: clientId, secret: sandboxSecret, count: 1, offset: 0, country_codes: ['US'] }),
      });
      expect(reply.status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
