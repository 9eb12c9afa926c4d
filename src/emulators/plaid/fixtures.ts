/**
 * The data the emulator serves.
 * - Institutions: Plaid's Sandbox-only test institutions (https://plaid.com/docs/sandbox/institutions/)
 *   plus two Production institutions from the spec's examples (Bank of America ins_1,
 *   Chase ins_3), which Sandbox also lists since it carries every Production institution.
 *   Products, routing numbers, colours and URLs are illustrative.
 * - Accounts: the user_good accounts Plaid Sandbox returns (names, masks, types and
 *   balances as in the spec's AccountsGetResponse and TransactionsSyncResponse examples).
 * - Transactions: Sandbox-like purchases, income and transfers on the checking, savings
 *   and credit card accounts, three weeks of them.
 */
import { newObjectId } from './ids';
import type { PlaidFlavour } from './types';

export interface InstitutionFixture {
  institution_id: string;
  name: string;
  products: string[];
  country_codes: string[];
  routing_numbers: string[];
  oauth: boolean;
  url: string;
  primary_color: string;
  /** Where it exists: the test institutions are Sandbox-only. */
  flavours: readonly PlaidFlavour[];
}

const SANDBOX_ONLY: readonly PlaidFlavour[] = ['sandbox'];
const EVERYWHERE: readonly PlaidFlavour[] = ['sandbox', 'production'];
const TEST_PRODUCTS = ['assets', 'auth', 'balance', 'identity', 'investments', 'liabilities', 'transactions'];

const testInstitution = (institution_id: string, name: string, country_codes: string[], routing_numbers: string[], oauth = false): InstitutionFixture => ({
  institution_id,
  name,
  products: TEST_PRODUCTS,
  country_codes,
  routing_numbers,
  oauth,
  url: 'https://plaid.com',
  primary_color: '#1F1F1F',
  flavours: SANDBOX_ONLY,
});

const INSTITUTIONS: readonly InstitutionFixture[] = [
  testInstitution('ins_109508', 'First Platypus Bank', ['US'], ['011401533']),
  testInstitution('ins_109509', 'First Gingham Credit Union', ['US'], []),
  testInstitution('ins_109510', 'Tattersall Federal Credit Union', ['US'], []),
  testInstitution('ins_109511', 'Tartan Bank', ['US'], []),
  testInstitution('ins_109512', 'Houndstooth Bank', ['US'], ['021000021']),
  testInstitution('ins_43', 'Tartan-Dominion Bank of Canada', ['CA'], []),
  testInstitution('ins_116834', 'Flexible Platypus Open Banking', ['GB'], [], true),
  testInstitution('ins_117650', 'Royal Bank of Plaid', ['GB'], [], true),
  testInstitution('ins_127287', 'Platypus OAuth Bank', ['US'], [], true),
  {
    institution_id: 'ins_1',
    name: 'Bank of America',
    products: ['assets', 'auth', 'balance', 'identity', 'liabilities', 'transactions'],
    country_codes: ['US'],
    routing_numbers: ['026009593'],
    oauth: true,
    url: 'https://www.bankofamerica.com',
    primary_color: '#E31837',
    flavours: EVERYWHERE,
  },
  {
    institution_id: 'ins_3',
    name: 'Chase',
    products: ['assets', 'auth', 'balance', 'identity', 'investments', 'liabilities', 'transactions'],
    country_codes: ['US'],
    routing_numbers: ['021000021'],
    oauth: true,
    url: 'https://www.chase.com',
    primary_color: '#095AA6',
    flavours: EVERYWHERE,
  },
];

export const institutionsIn = (flavour: PlaidFlavour): InstitutionFixture[] => INSTITUTIONS.filter((i) => i.flavours.includes(flavour));

export const findInstitution = (flavour: PlaidFlavour, institutionId: string): InstitutionFixture | undefined =>
  institutionsIn(flavour).find((i) => i.institution_id === institutionId);

/** The spec's AccountBase. */
export interface Account {
  account_id: string;
  balances: {
    available: number | null;
    current: number | null;
    limit: number | null;
    iso_currency_code: string | null;
    unofficial_currency_code: string | null;
  };
  mask: string;
  name: string;
  official_name: string | null;
  type: 'depository' | 'credit' | 'loan' | 'investment';
  subtype: string;
  holder_category: 'personal';
}

type AccountTemplate = Omit<Account, 'account_id' | 'balances' | 'holder_category'> & { available: number | null; current: number; limit?: number };

const ACCOUNTS: readonly AccountTemplate[] = [
  { mask: '0000', name: 'Plaid Checking', official_name: 'Plaid Gold Standard 0% Interest Checking', type: 'depository', subtype: 'checking', available: 100, current: 110 },
  { mask: '1111', name: 'Plaid Saving', official_name: 'Plaid Silver Standard 0.1% Interest Saving', type: 'depository', subtype: 'savings', available: 200, current: 210 },
  { mask: '2222', name: 'Plaid CD', official_name: 'Plaid Bronze Standard 0.2% Interest CD', type: 'depository', subtype: 'cd', available: null, current: 1000 },
  { mask: '3333', name: 'Plaid Credit Card', official_name: 'Plaid Diamond 12.5% APR Interest Credit Card', type: 'credit', subtype: 'credit card', available: null, current: 410, limit: 2000 },
  { mask: '4444', name: 'Plaid Money Market', official_name: 'Plaid Platinum Standard 1.85% Interest Money Market', type: 'depository', subtype: 'money market', available: 43200, current: 43200 },
  { mask: '5555', name: 'Plaid IRA', official_name: null, type: 'investment', subtype: 'ira', available: null, current: 320.76 },
  { mask: '6666', name: 'Plaid 401k', official_name: null, type: 'investment', subtype: '401k', available: null, current: 23631.9805 },
  { mask: '7777', name: 'Plaid Student Loan', official_name: null, type: 'loan', subtype: 'student', available: null, current: 65262 },
  { mask: '8888', name: 'Plaid Mortgage', official_name: null, type: 'loan', subtype: 'mortgage', available: null, current: 56302.06 },
];

/** A new Item's accounts, with ids of their own. */
export function newAccounts(): Account[] {
  return ACCOUNTS.map(({ available, current, limit, ...account }) => ({
    account_id: newObjectId(),
    balances: { available, current, limit: limit ?? null, iso_currency_code: 'USD', unofficial_currency_code: null },
    ...account,
    holder_category: 'personal',
  }));
}

/** The spec's Transaction, less `original_description`, which depends on the request's options. */
export interface Transaction {
  transaction_id: string;
  account_id: string;
  account_owner: null;
  amount: number;
  iso_currency_code: string;
  unofficial_currency_code: null;
  check_number: null;
  date: string;
  datetime: null;
  authorized_date: string;
  authorized_datetime: null;
  location: Record<'address' | 'city' | 'region' | 'postal_code' | 'country' | 'lat' | 'lon' | 'store_number', null>;
  name: string;
  merchant_name: string | null;
  merchant_entity_id: null;
  logo_url: null;
  website: null;
  payment_meta: Record<'reference_number' | 'ppd_id' | 'payee' | 'by_order_of' | 'payer' | 'payment_method' | 'payment_processor' | 'reason', null>;
  payment_channel: 'online' | 'in store' | 'other';
  pending: false;
  pending_transaction_id: null;
  personal_finance_category: { primary: string; detailed: string; confidence_level: string };
  transaction_code: null;
}

interface TransactionTemplate {
  mask: string;
  daysAgo: number;
  name: string;
  merchant: string | null;
  /** Positive when money leaves the account, as in Plaid. */
  amount: number;
  channel: Transaction['payment_channel'];
  category: [primary: string, detailed: string];
}

const WEEK: readonly TransactionTemplate[] = [
  { mask: '0000', daysAgo: 1, name: 'Uber 063015 SF**POOL**', merchant: 'Uber', amount: 5.4, channel: 'online', category: ['TRANSPORTATION', 'TRANSPORTATION_TAXIS_AND_RIDE_SHARES'] },
  { mask: '3333', daysAgo: 1, name: 'Starbucks', merchant: 'Starbucks', amount: 4.33, channel: 'in store', category: ['FOOD_AND_DRINK', 'FOOD_AND_DRINK_COFFEE'] },
  { mask: '0000', daysAgo: 2, name: 'United Airlines', merchant: 'United Airlines', amount: 500, channel: 'in store', category: ['TRAVEL', 'TRAVEL_FLIGHTS'] },
  { mask: '3333', daysAgo: 2, name: "McDonald's", merchant: "McDonald's", amount: 12, channel: 'in store', category: ['FOOD_AND_DRINK', 'FOOD_AND_DRINK_FAST_FOOD'] },
  { mask: '1111', daysAgo: 3, name: 'INTRST PYMNT', merchant: null, amount: -4.22, channel: 'other', category: ['INCOME', 'INCOME_INTEREST_EARNED'] },
  { mask: '0000', daysAgo: 4, name: 'SparkFun', merchant: 'SparkFun', amount: 89.4, channel: 'online', category: ['GENERAL_MERCHANDISE', 'GENERAL_MERCHANDISE_ELECTRONICS'] },
  { mask: '3333', daysAgo: 4, name: 'KFC', merchant: 'KFC', amount: 500, channel: 'in store', category: ['FOOD_AND_DRINK', 'FOOD_AND_DRINK_FAST_FOOD'] },
  { mask: '0000', daysAgo: 5, name: 'Touchstone Climbing', merchant: 'Touchstone', amount: 78.5, channel: 'in store', category: ['PERSONAL_CARE', 'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS'] },
  { mask: '1111', daysAgo: 6, name: 'CD DEPOSIT .INITIAL.', merchant: null, amount: 1000, channel: 'other', category: ['TRANSFER_OUT', 'TRANSFER_OUT_SAVINGS'] },
  { mask: '3333', daysAgo: 7, name: 'CREDIT CARD 3333 PAYMENT *//', merchant: null, amount: 25, channel: 'other', category: ['LOAN_PAYMENTS', 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'] },
];
const WEEKS = 3;

const NULL_LOCATION: Transaction['location'] = { address: null, city: null, region: null, postal_code: null, country: null, lat: null, lon: null, store_number: null };
const NULL_PAYMENT_META: Transaction['payment_meta'] = {
  reference_number: null,
  ppd_id: null,
  payee: null,
  by_order_of: null,
  payer: null,
  payment_method: null,
  payment_processor: null,
  reason: null,
};

const isoDay = (at: Date, daysBefore: number): string => new Date(at.getTime() - daysBefore * 86_400_000).toISOString().slice(0, 10);

/** A new Item's transaction history up to `createdAt`, oldest first. */
export function newTransactions(accounts: readonly Account[], createdAt: Date): Transaction[] {
  const byMask = new Map(accounts.map((a) => [a.mask, a]));
  const history: Transaction[] = [];
  for (let week = WEEKS - 1; week >= 0; week -= 1) {
    for (const t of [...WEEK].reverse()) {
      const account = byMask.get(t.mask);
      if (!account) throw new Error(`Plaid emulator fixtures: no account with mask ${t.mask}`);
      const date = isoDay(createdAt, t.daysAgo + 7 * week);
      history.push({
        transaction_id: newObjectId(),
        account_id: account.account_id,
        account_owner: null,
        amount: t.amount,
        iso_currency_code: 'USD',
        unofficial_currency_code: null,
        check_number: null,
        date,
        datetime: null,
        authorized_date: date,
        authorized_datetime: null,
        location: { ...NULL_LOCATION },
        name: t.name,
        merchant_name: t.merchant,
        merchant_entity_id: null,
        logo_url: null,
        website: null,
        payment_meta: { ...NULL_PAYMENT_META },
        payment_channel: t.channel,
        pending: false,
        pending_transaction_id: null,
        personal_finance_category: { primary: t.category[0], detailed: t.category[1], confidence_level: 'VERY_HIGH' },
        transaction_code: null,
      });
    }
  }
  return history;
}
