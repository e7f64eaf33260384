import { gzipSync } from 'node:zlib';
import {
  type CountryCode,
  getCountries,
  type MetadataJson,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/core/es6';
import min from 'libphonenumber-js/min/metadata';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { withoutFormats } from '../../src/domain/phone.ts';
import { mulberry32 } from '../support/seeded.ts';

/**
 * The Workers bundle reads phone numbers with libphonenumber's "min" metadata without its formats
 * (src/entry/worker-build.ts writes it; wrangler.toml puts it in place of libphonenumber-js/min/metadata).
 * Every number must read the same with it as with the whole "min" metadata that Node uses: the same
 * E.164 number, country, validity and extension, for every country and non-geographic calling code.
 */
const bare = withoutFormats(min);

/** What src/domain/phone.ts reads of a parsed number (and a little more, to notice any change). */
function reading(parsed: PhoneNumber | undefined) {
  return (
    parsed && {
      number: parsed.number,
      country: parsed.country,
      countryCallingCode: parsed.countryCallingCode,
      nationalNumber: parsed.nationalNumber,
      ext: parsed.ext,
      valid: parsed.isValid(),
      possible: parsed.isPossible(),
    }
  );
}

function both(input: string, defaultCountry?: CountryCode) {
  const read = (metadata: MetadataJson) =>
    reading(
      defaultCountry
        ? parsePhoneNumberFromString(input, { defaultCountry, extract: false }, metadata)
        : parsePhoneNumberFromString(input, metadata),
    );
  return { full: read(min), bare: read(bare) };
}

describe("libphonenumber's min metadata without formats", () => {
  it('has no formats left and is about half the size', () => {
    const plans = (metadata: MetadataJson) => {
      const m = metadata as unknown as {
        countries: Record<string, unknown[]>;
        nonGeographic: Record<string, unknown[]>;
      };
      return [...Object.values(m.countries), ...Object.values(m.nonGeographic)];
    };
    expect(plans(min).filter((plan) => Array.isArray(plan[4])).length).toBeGreaterThan(200);
    expect(plans(bare).filter((plan) => Array.isArray(plan[4]))).toEqual([]);
    expect(plans(bare)).toHaveLength(plans(min).length);
    expect(gzipSync(JSON.stringify(bare)).length).toBeLessThan(0.6 * gzipSync(JSON.stringify(min)).length);
  });

  it('refuses metadata of another layout', () => {
    expect(() => withoutFormats({ ...min, version: 5 } as unknown as MetadataJson)).toThrow(/version 5/);
  });

  it("reads every country's example number the same, in every written form", () => {
    const countries = getCountries(min);
    expect(countries.length).toBeGreaterThan(240);
    let valid = 0;
    for (const country of countries) {
      const national = (examples as Record<string, string>)[country];
      if (!national) continue;
      const parsed = parsePhoneNumberFromString(national, country, min)!;
      const forms = [
        parsed.number,
        parsed.formatNational(),
        parsed.formatInternational(),
        parsed.format('RFC3966'),
        `00${parsed.number.slice(1)}`,
        `${parsed.number} ext. 12`,
        national.slice(0, -1),
        `${national}0`,
      ];
      for (const form of forms) {
        for (const region of [country, 'NO', 'US'] as CountryCode[]) {
          const { full, bare: read } = both(form, region);
          expect(read, `${form} in ${region}`).toEqual(full);
          if (full?.valid) valid++;
        }
        const { full, bare: read } = both(form);
        expect(read, form).toEqual(full);
      }
    }
    expect(valid).toBeGreaterThan(2000); // most of them are numbers, not only refusals that agree
  });

  it('reads random digits after every calling code, and in every country, the same', () => {
    const random = mulberry32(15);
    const digits = (length: number) => Array.from({ length }, () => Math.floor(random() * 10)).join('');
    const { country_calling_codes, nonGeographic } = min as unknown as {
      country_calling_codes: object;
      nonGeographic: object;
    };
    const callingCodes = [...Object.keys(country_calling_codes), ...Object.keys(nonGeographic)];
    expect(callingCodes).toContain('47');
    expect(callingCodes).toContain('800'); // the non-geographic ones too
    let valid = 0;
    for (const code of callingCodes) {
      for (let i = 0; i < 40; i++) {
        const { full, bare: read } = both(`+${code}${digits(4 + (i % 12))}`);
        expect(read).toEqual(full);
        if (full?.valid) valid++;
      }
    }
    for (const country of getCountries(min)) {
      for (let i = 0; i < 10; i++) {
        const input = `${i % 2 ? '0' : ''}${digits(5 + (i % 8))}`;
        const { full, bare: read } = both(input, country);
        expect(read, `${input} in ${country}`).toEqual(full);
        if (full?.valid) valid++;
      }
    }
    expect(valid).toBeGreaterThan(500);
  });
});
