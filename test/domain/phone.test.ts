import { describe, expect, it } from 'vitest';
import { maskPhone, normalisePhone } from '../../src/domain/phone.ts';

describe('normalisePhone', () => {
  it.each([
    ['+47 912 34 567', '+4791234567'],
    ['+4791234567', '+4791234567'],
    ['004791234567', '+4791234567'],
    ['0047 912 34 567', '+4791234567'],
    ['91234567', '+4791234567'],
    ['912 34 567', '+4791234567'],
    ['  912-34-567 ', '+4791234567'],
    ['+46 70 123 45 67', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['+45 20 12 34 56', '+4520123456'],
    ['+1 (201) 555-0123', '+12015550123'],
  ])('reads %j as %s', (input, e164) => {
    expect(normalisePhone(input)).toBe(e164);
  });

  it('reads national numbers in the given region', () => {
    expect(normalisePhone('070-123 45 67', 'SE')).toBe('+46701234567');
    expect(normalisePhone('070-123 45 67')).toBeUndefined();
  });

  it.each([
    '',
    '   ',
    'garbage',
    'ring meg',
    '123',
    '9123456',
    '912345678',
    '+47 91234567 ext 5',
    'tel:+4791234567',
    '+47 9123456a',
    '+47+91234567',
    '800-FLOWERS',
    'call 91234567 now',
    '+999 1234567',
    '1'.repeat(40),
  ])('rejects %j', (input) => {
    expect(normalisePhone(input)).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it('keeps the country code and the last two digits', () => {
    expect(maskPhone('+4791234567')).toBe('+47******67');
    expect(maskPhone('+46701234567')).toBe('+46*******67');
    expect(maskPhone('+12015550123')).toBe('+1********23');
  });

  it('hides everything but two digits of anything else, and never throws', () => {
    expect(maskPhone('91234567')).toBe('******67');
    expect(maskPhone('whatsapp:+4791234567')).toBe('********67');
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('')).toBe('***');
  });

  it('never shows the subscriber number', () => {
    for (const e164 of ['+4791234567', '+46701234567', '+4520123456']) {
      expect(maskPhone(e164)).not.toContain(e164.slice(3, 9));
    }
  });
});
