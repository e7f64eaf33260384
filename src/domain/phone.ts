import { type CountryCode, type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core/es6';
import metadata from 'libphonenumber-js/min/metadata';

/** Digits, spaces and the usual separators; anything else (letters, "ext", "tel:") is refused. */
const PHONE_LIKE = /^[\d\s()+.\-/]{3,32}$/;

/**
 * A phone number in E.164 ("+4791234567"), or undefined when the input is not a valid number.
 * Accepts international ("+47 912 34 567", "004791234567") and national ("91234567") forms; a
 * national number is read in `defaultRegion`. Validation uses libphonenumber's "min" metadata for
 * every country (libphonenumber-js's "core" functions given that metadata): length and leading
 * digits per country, not whether a number is a mobile number (Twilio answers 21614 for that). The
 * Workers bundle gets the same metadata without its formats (`withoutFormats`).
 */
export function normalisePhone(input: string, defaultRegion: CountryCode = 'NO'): string | undefined {
  const trimmed = input.trim();
  if (!PHONE_LIKE.test(trimmed) || trimmed.split('+').length > 2) return undefined;
  const parsed = parsePhoneNumberFromString(
    trimmed,
    { defaultCountry: defaultRegion, extract: false },
    metadata,
  );
  if (!parsed?.isValid() || parsed.ext) return undefined;
  return parsed.number;
}

/**
 * A phone number fit for logs: the country code and the last two digits stay, every other digit
 * becomes "*" ("+4791234567" -> "+47******67"). Input that is not E.164 keeps only its last two
 * digits.
 */
export function maskPhone(e164: string): string {
  const parsed = /^\+\d+$/.test(e164) ? parsePhoneNumberFromString(e164, metadata) : undefined;
  if (parsed) {
    const national = parsed.nationalNumber as string;
    return `+${parsed.countryCallingCode}${maskDigits(national)}`;
  }
  const digits = e164.replace(/\D/g, '');
  return digits === '' ? '***' : maskDigits(digits);
}

function maskDigits(digits: string): string {
  const shown = digits.length > 4 ? 2 : 0;
  return '*'.repeat(digits.length - shown) + digits.slice(digits.length - shown);
}

/** The position of a numbering plan's formats in libphonenumber-js's metadata (its version 4 layout). */
const FORMATS = 4;

/**
 * libphonenumber metadata without the numbers' formats (each numbering plan's list of national
 * formatting patterns), which only formatting reads (`format`, `formatNational`, `AsYouType`,
 * `findPhoneNumbersInText`); parsing and validation, all this module does, read the other fields.
 * The min metadata is 19 KiB gzip, 10 without. The Workers build (src/entry/worker-build.ts) writes
 * it for the bundle; test/domain/phone-metadata.test.ts checks that both read every number the same.
 */
export function withoutFormats(full: MetadataJson): MetadataJson {
  const plans = (group: Record<string, unknown[]> | undefined) =>
    group &&
    Object.fromEntries(
      Object.entries(group).map(([key, plan]) => [key, plan.map((field, i) => (i === FORMATS ? 0 : field))]),
    );
  const source = full as unknown as {
    version: number;
    countries: Record<string, unknown[]>;
    nonGeographic?: Record<string, unknown[]>;
  };
  if (source.version !== 4) throw new Error(`libphonenumber metadata version ${source.version}, expected 4`);
  return {
    ...full,
    countries: plans(source.countries),
    ...(source.nonGeographic && { nonGeographic: plans(source.nonGeographic) }),
  } as unknown as MetadataJson;
}
