/**
 * Request bodies of the emulated endpoints, written from the spec's request schemas
 * (InstitutionsGetRequest, LinkTokenCreateRequest, SandboxPublicTokenCreateRequest,
 * ItemPublicTokenExchangeRequest, AccountsGetRequest, TransactionsSyncRequest,
 * ItemRemoveRequest). Objects are strict, so a field the spec does not declare is an
 * UNKNOWN_FIELDS error. Every declared field is accepted; fields for products the
 * emulator does not emulate are checked for their JSON type only (`featureObject`).
 * client_id and secret are judged by validation.ts (they may come as headers instead).
 */
import { z } from 'zod';

/** The spec's CountryCode enum. */
const COUNTRY_CODES = ['US', 'GB', 'ES', 'NL', 'FR', 'IE', 'CA', 'DE', 'IT', 'PL', 'DK', 'NO', 'SE', 'EE', 'LT', 'LV', 'PT', 'BE', 'AT', 'FI'] as const;

/** The spec's Products enum. */
export const PRODUCTS = [
  'assets',
  'auth',
  'balance',
  'balance_plus',
  'beacon',
  'identity',
  'identity_match',
  'investments',
  'investments_auth',
  'liabilities',
  'payment_initiation',
  'identity_verification',
  'transactions',
  'credit_details',
  'income',
  'income_verification',
  'standing_orders',
  'transfer',
  'employment',
  'recurring_transactions',
  'transactions_refresh',
  'signal',
  'statements',
  'processor_payments',
  'processor_identity',
  'profile',
  'cra_base_report',
  'cra_income_insights',
  'cra_partner_insights',
  'cra_network_insights',
  'cra_cashflow_insights',
  'cra_monitoring',
  'cra_lend_score',
  'cra_plaid_credit_score',
  'layer',
  'pay_by_bank',
  'protect_linked_bank',
  'protect_transactions',
] as const;

const countryCode = z.enum(COUNTRY_CODES);
const product = z.enum(PRODUCTS);
const productList = z.array(product).nullable().optional();
const httpUrl = z.url({ protocol: /^https?$/ });
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime({ offset: true });
/** A nested object the emulator does not act on: its JSON type is checked, its content is not. */
const featureObject = z.record(z.string(), z.unknown()).optional();

const credentials = { client_id: z.unknown().optional(), secret: z.unknown().optional() };

export const institutionsGetRequest = z.strictObject({
  ...credentials,
  count: z.int().min(1).max(500),
  offset: z.int().min(0),
  country_codes: z.array(countryCode).min(1),
  options: z
    .strictObject({
      products: z.array(product).min(1).nullable().optional(),
      routing_numbers: z.array(z.string()).nullable().optional(),
      oauth: z.boolean().nullable().optional(),
      include_optional_metadata: z.boolean().optional(),
      include_auth_metadata: z.boolean().optional(),
      include_payment_initiation_metadata: z.boolean().optional(),
    })
    .optional(),
});

export const linkTokenCreateRequest = z.strictObject({
  ...credentials,
  client_name: z.string().min(1),
  language: z.string().min(1),
  country_codes: z.array(countryCode).min(1),
  user: z
    .strictObject({
      client_user_id: z.string().min(1),
      legal_name: z.string().optional(),
      name: featureObject,
      phone_number: z.string().optional(),
      phone_number_verified_time: isoDateTime.nullable().optional(),
      email_address: z.string().optional(),
      email_address_verified_time: isoDateTime.nullable().optional(),
      ssn: z.string().optional(),
      date_of_birth: isoDate.nullable().optional(),
      address: featureObject,
      id_number: featureObject,
    })
    .optional(),
  user_id: z.string().optional(),
  products: productList,
  required_if_supported_products: productList,
  optional_products: productList,
  additional_consented_products: productList,
  webhook: httpUrl.optional(),
  access_token: z.string().min(1).nullable().optional(),
  access_tokens: z.array(z.string()).optional(),
  link_customization_name: z.string().optional(),
  appearance_mode: z.enum(['LIGHT', 'DARK', 'SYSTEM']).nullable().optional(),
  redirect_uri: z.string().optional(),
  android_package_name: z.string().optional(),
  institution_data: featureObject,
  card_switch: featureObject,
  account_filters: featureObject,
  eu_config: featureObject,
  institution_id: z.string().optional(),
  payment_configuration: featureObject,
  payment_initiation: featureObject,
  employment: featureObject,
  income_verification: featureObject,
  base_report: featureObject,
  credit_partner_insights: featureObject,
  cra_options: featureObject,
  consumer_report_permissible_purpose: z
    .enum([
      'ACCOUNT_REVIEW_CREDIT',
      'ACCOUNT_REVIEW_NON_CREDIT',
      'EXTENSION_OF_CREDIT',
      'LEGITIMATE_BUSINESS_NEED_TENANT_SCREENING',
      'LEGITIMATE_BUSINESS_NEED_OTHER',
      'WRITTEN_INSTRUCTION_PREQUALIFICATION',
      'WRITTEN_INSTRUCTION_OTHER',
      'ELIGIBILITY_FOR_GOVT_BENEFITS',
    ])
    .optional(),
  auth: featureObject,
  transfer: featureObject,
  update: featureObject,
  identity_verification: featureObject,
  statements: featureObject,
  third_party_user_token: z.string().optional(),
  investments: featureObject,
  investments_auth: featureObject,
  hosted_link: featureObject,
  transactions: featureObject,
  cashflow_report: featureObject,
  cra_enabled: z.boolean().optional(),
  identity: featureObject,
  financekit_supported: z.boolean().optional(),
  enable_multi_item_link: z.boolean().optional(),
  user_token: z.string().optional(),
});

export const sandboxPublicTokenCreateRequest = z.strictObject({
  ...credentials,
  institution_id: z.string(),
  initial_products: z.array(product).min(1),
  options: z
    .strictObject({
      webhook: httpUrl.optional(),
      override_username: z.string().nullable().optional(),
      override_password: z.string().nullable().optional(),
      transactions: z
        .strictObject({ start_date: isoDate.optional(), end_date: isoDate.optional(), days_requested: z.int().min(1).max(730).optional() })
        .nullable()
        .optional(),
      statements: z.strictObject({ start_date: isoDate, end_date: isoDate }).nullable().optional(),
      income_verification: z.strictObject({ income_source_types: z.array(z.enum(['bank', 'payroll'])).optional(), bank_income: featureObject }).optional(),
    })
    .optional(),
  user_token: z.string().optional(),
  user_id: z.string().optional(),
});

export const itemPublicTokenExchangeRequest = z.strictObject({
  ...credentials,
  public_token: z.string(),
});

export const accountsGetRequest = z.strictObject({
  ...credentials,
  access_token: z.string(),
  options: z.strictObject({ account_ids: z.array(z.string()).optional() }).optional(),
});

export const transactionsSyncRequest = z.strictObject({
  ...credentials,
  access_token: z.string(),
  cursor: z.string().optional(),
  count: z.int().min(1).max(500).optional(),
  options: z
    .strictObject({
      include_original_description: z.boolean().nullable().optional(),
      include_personal_finance_category: z.boolean().optional(),
      include_logo_and_counterparty_beta: z.boolean().optional(),
      personal_finance_category_version: z.enum(['v1', 'v2']).optional(),
      days_requested: z.int().min(1).max(730).optional(),
      account_id: z.string().optional(),
    })
    .optional(),
});

export const itemRemoveRequest = z.strictObject({
  ...credentials,
  access_token: z.string(),
  reason_code: z
    .enum(['FRAUD_FIRST_PARTY', 'FRAUD_FALSE_IDENTITY', 'FRAUD_ABUSE', 'FRAUD_OTHER', 'CONNECTION_IS_NON_FUNCTIONAL', 'OTHER'])
    .nullable()
    .optional(),
  reason_note: z.string().max(512).nullable().optional(),
});
