import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** Digits, spaces and the usual separators; anything else (letters, "ext", "tel:") is refused. */
const PHONE_LIKE = /^[\d\s()+.\-/]{3,32}$/;

/**
 * A phone number in E.164 ("+4791234567"), or undefined when the input is not a valid number.
 * Accepts international ("+47 912 34 567", "004791234567") and national ("91234567") forms; a
 * national number is read in `defaultRegion`. Validation uses libphonenumber's "min" metadata:
 * length and leading digits per country, not whether a number is a mobile number (Twilio
 * answers 21614 for that).
 */
export function normalisePhone(input: string, defaultRegion: CountryCode = 'NO'): string | undefined {
  const trimmed = input.trim();
  if (!PHONE_LIKE.test(trimmed) || trimmed.split('+').length > 2) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, { defaultCountry: defaultRegion, extract: false });
  if (!parsed?.isValid() || parsed.ext) return undefined;
  return parsed.number;
}

/**
 * A phone number fit for logs: the country code and the last two digits stay, every other digit
 * becomes "*" ("+4791234567" -> "+47******67"). Input that is not E.164 keeps only its last two
 * digits.
 */
export function maskPhone(e164: string): string {
  const parsed = /^\+\d+$/.test(e164) ? parsePhoneNumberFromString(e164) : undefined;
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
