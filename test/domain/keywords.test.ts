import { describe, expect, it } from 'vitest';
import { parseKeyword } from '../../src/domain/keywords.ts';

describe('parseKeyword', () => {
  it.each([
    'STOP',
    'STOPP',
    'AVSLUTT',
    'UNSUBSCRIBE',
    'CANCEL',
    'END',
    'QUIT',
    'STOPALL',
    'REVOKE',
    'OPTOUT',
  ])('reads %s as stop', (word) => {
    expect(parseKeyword(word)).toBe('stop');
    expect(parseKeyword(word.toLowerCase())).toBe('stop');
  });

  it.each(['START', 'UNSTOP'])('reads %s as start', (word) => {
    expect(parseKeyword(word)).toBe('start');
  });

  it.each(['HJELP', 'HELP', 'INFO'])('reads %s as help', (word) => {
    expect(parseKeyword(word)).toBe('help');
  });

  it.each([
    ' stopp ',
    'Stopp!',
    'STOPP.',
    '"stopp"',
    '«Stopp»',
    'stopp 🛑',
    '\nStop\n',
    'Hjelp?',
    'hjelp!!!',
    'ＳＴＯＰ',
  ])('ignores case, spaces, punctuation and emoji around the word: %j', (text) => {
    expect(parseKeyword(text)).toBeDefined();
  });

  it.each([
    'jeg vil ikke stoppe',
    'stoppe',
    'stop please',
    'please stop',
    'STOP STOP',
    'ikke stopp',
    'stopp nå',
    'St0p',
    'S T O P',
    'hjelp meg',
    'kan du hjelpe?',
    'start på nytt',
    'YES',
    'ja',
    'Nei',
    '',
    '   ',
    '!!!',
  ])('reads %j as ordinary text', (text) => {
    expect(parseKeyword(text)).toBeUndefined();
  });
});
