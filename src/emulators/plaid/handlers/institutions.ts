/**
 * POST /institutions/get
 * Sources: spec schemas InstitutionsGetRequest, InstitutionsGetRequestOptions,
 * InstitutionsGetResponse, Institution; https://plaid.com/docs/api/institutions/#institutionsget
 * - count (1..500), offset (>= 0) and country_codes (the CountryCode enum) are required.
 * - An institution is listed when it serves any requested country; `total` counts every
 *   match and the page is institutions[offset, offset + count).
 * - options.products keeps institutions that support all of them; options.oauth keeps
 *   those whose `oauth` matches; options.routing_numbers keeps those that have all of the
 *   valid ones, invalid routing numbers (not 9 digits or a failed ABA checksum) are
 *   dropped first, and INVALID_FIELD answers when none is valid (as the field's
 *   description says). The message wording is a best guess.
 * - url, primary_color and logo appear only with include_optional_metadata; logo is null
 *   (the emulator has no logos). auth_metadata and payment_initiation_metadata appear,
 *   null, when asked for: both are nullable and the emulator has no such metadata.
 */
import type { z } from 'zod';
import { defineEndpoint } from '../endpoint';
import { invalidField } from '../errors';
import { type InstitutionFixture, institutionsIn } from '../fixtures';
import { institutionsGetRequest } from '../schemas';

const ABA_WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7, 1];

function validRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  return ABA_WEIGHTS.reduce((sum, weight, i) => sum + weight * Number(value[i]), 0) % 10 === 0;
}

type Options = NonNullable<z.infer<typeof institutionsGetRequest>['options']>;

function present(institution: InstitutionFixture, options: Options): object {
  return {
    institution_id: institution.institution_id,
    name: institution.name,
    products: institution.products,
    country_codes: institution.country_codes,
    routing_numbers: institution.routing_numbers,
    oauth: institution.oauth,
    ...(options.include_optional_metadata ? { url: institution.url, primary_color: institution.primary_color, logo: null } : {}),
    ...(options.include_auth_metadata ? { auth_metadata: null } : {}),
    ...(options.include_payment_initiation_metadata ? { payment_initiation_metadata: null } : {}),
  };
}

export const institutionsGet = defineEndpoint({
  path: '/institutions/get',
  schema: institutionsGetRequest,
  handle({ count, offset, country_codes, options = {} }, { flavour }) {
    const asked = options.routing_numbers ?? [];
    const routingNumbers = asked.filter(validRoutingNumber);
    if (asked.length > 0 && routingNumbers.length === 0) throw invalidField('options.routing_numbers must contain at least one valid routing number');

    const countries = new Set<string>(country_codes);
    const matches = institutionsIn(flavour).filter(
      (institution) =>
        institution.country_codes.some((country) => countries.has(country)) &&
        (options.products ?? []).every((product) => institution.products.includes(product)) &&
        (options.oauth === undefined || options.oauth === null || institution.oauth === options.oauth) &&
        routingNumbers.every((number) => institution.routing_numbers.includes(number)),
    );
    return { institutions: matches.slice(offset, offset + count).map((institution) => present(institution, options)), total: matches.length };
  },
});
