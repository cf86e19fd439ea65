/**
 * Finds PII in one string, in the spirit of Presidio's predefined recognizers and with its entity
 * names: a cheap regular expression proposes candidate shapes, and only candidates are validated
 * (check digits, checksums, a phone-number library, an IP parser). A candidate that fails its
 * validation is dropped, never re-read as another type: a Luhn-invalid 16-digit number is nothing,
 * not a phone number.
 *
 * Cost: strings with neither digits nor `@` cost one `search`. A string with a digit gets one pass
 * of {@link candidateGate}, a cheap necessary condition of a reported candidate, and the full
 * candidate pass only when the gate matches (prose with a year, a count or an id never gets it); the
 * `@` scan only when the string has an `@`; the IPv6 pass only when it has two colons.
 *
 * Deliberately not reported (precision over recall, as Presidio scores them near zero):
 * - 9 bare digits as `US_SSN` (ZIP+4 codes, order numbers): an SSN needs `-`, ` ` or `.` between
 *   its groups, the same one twice;
 * - bare digit runs as `PHONE_NUMBER`: a number must start with `+` or have separators or
 *   parentheses, and libphonenumber must call it valid (US is the default region);
 * - Ethereum addresses without the EIP-55 mixed-case checksum, Bitcoin addresses that fail
 *   base58check or bech32/bech32m.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { findPhoneNumbersInText } from 'libphonenumber-js';
import {
  base58CheckAddressValid,
  eip55AddressValid,
  ibanLengths,
  ibanValid,
  knownCardIssuer,
  luhnValid,
  segwitAddressValid,
  ssnValid,
} from './checksums.js';
import { maskCard, maskEmail, maskIp, maskMiddle, maskPhone, maskSsn } from './mask.js';

/** Presidio's entity names for what this module finds. */
export const PII_TYPES = [
  'CREDIT_CARD',
  'US_SSN',
  'IBAN_CODE',
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'IP_ADDRESS',
  'CRYPTO',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

export type PiiEmit = (type: PiiType, masked: string) => void;

/**
 * Candidate shapes, one alternative each, tried in this order at each position (the first that
 * matches wins, and its text is consumed):
 *  1 SSN `123-45-6789` (same separator twice), 2 card grouped 4-4-4-4(-3), 4-6-4/5 or 13-19 digits,
 *  3 IPv4, 4 IBAN (country, check digits, groups of four), 5 Bitcoin base58 or bech32,
 *  6 Ethereum `0x` + 40 hex, 7 phone: an optional `+` or `(`, then digits and separators.
 */
export const candidates = new RegExp(
  [
    String.raw`\b(\d{3}([- .])\d{2}\2\d{4})\b`,
    String.raw`\b(\d{4}([ -])\d{4}\4\d{4}\4\d{4}(?:\4\d{3})?|\d{4}([ -])\d{6}\5\d{4,5}|\d{13,19})\b`,
    String.raw`\b((?:\d{1,3}\.){3}\d{1,3})\b`,
    String.raw`\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b`,
    String.raw`\b([13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,87}|BC1[02-9AC-HJ-NP-Z]{11,87})\b`,
    String.raw`\b(0x[0-9a-fA-F]{40})\b`,
    String.raw`((?:\+|\()?\b\d[\d ().-]{5,20}\d)\b`,
  ].join('|'),
  'g',
);

/**
 * A necessary condition of a reported candidate, and several times cheaper than {@link candidates}:
 * a string this does not match gets nothing reported from {@link candidates}, because each shape
 * is reported only if it has one of these (every alternative starts with a digit, so V8 skips to
 * digits quickly; lookbehinds check what comes before it):
 *  a separator between digits, `\d[ ().-]+\d`: SSNs, grouped cards and IPv4 always have one, and a
 *  phone number without one is reported only after `+` or `(`;
 *  a digit after `+` or `(`: those phone numbers;
 *  13 digits in a row: ungrouped cards (a bare run of fewer is an id, an amount or a time, never
 *  reported: see `checkPhone`);
 *  an IBAN's check digits after two capitals; a Bitcoin address (`1` or `3` then 25 base58
 *  characters, or the `1` of `bc1`/`BC1`); an Ethereum address (`0x` then 40 hex digits).
 * Keep it in step with {@link candidates} and the checks when a shape is added there (a property
 * test checks that it lets through every string in which something is reported).
 */
export const candidateGate =
  /\d(?:[ ().-]+\d|\d{12}|(?<=[+(]\d)|(?<=[A-Z]{2}\d)\d|(?<=[13])[1-9A-HJ-NP-Za-km-z]{25}|(?<=bc1|BC1)|(?<=0)x[0-9a-fA-F]{40})/;

/** An IPv6 candidate: hex groups and colons (at least two), optionally an embedded IPv4 tail. */
const ipv6Candidates =
  /(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![0-9A-Za-z:])/g;

const localPartChar = /[A-Za-z0-9._%+-]/;
const domainChar = /[A-Za-z0-9.-]/;

const hasDigit = /\d/;

/** Scans one string and calls `emit` for each validated entity. Never throws on any input. */
export function findPii(text: string, emit: PiiEmit): void {
  const digit = text.search(hasDigit);
  if (digit >= 0) {
    if (candidateGate.test(text)) scanCandidates(text, emit);
    const colon = text.indexOf(':');
    if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) scanIpv6(text, emit);
  }
  if (text.includes('@')) scanEmails(text, emit);
}

/** Every candidate of {@link candidates} in `text`, validated; exported for the gate's property test. */
export function scanCandidates(text: string, emit: PiiEmit): void {
  candidates.lastIndex = 0;
  for (let match = candidates.exec(text); match !== null; match = candidates.exec(text)) {
    if (match[1] !== undefined) checkSsn(match[1], emit);
    else if (match[3] !== undefined) checkCard(match[3], emit);
    else if (match[6] !== undefined) checkIpv4(match[6], emit);
    else if (match[7] !== undefined) checkIban(match[7], emit);
    else if (match[8] !== undefined) checkBitcoin(match[8], emit);
    else if (match[9] !== undefined) checkEthereum(match[9], emit);
    else if (match[10] !== undefined) checkPhone(match[10], emit);
  }
}

function checkSsn(candidate: string, emit: PiiEmit): void {
  const digits = candidate.replace(/\D/g, '');
  if (ssnValid(digits)) emit('US_SSN', maskSsn(digits));
}

function checkCard(candidate: string, emit: PiiEmit): void {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length >= 13 && digits.length <= 19 && knownCardIssuer(digits) && luhnValid(digits))
    emit('CREDIT_CARD', maskCard(digits));
}

function checkIpv4(candidate: string, emit: PiiEmit): void {
  if (isIPv4(candidate)) emit('IP_ADDRESS', maskIp(candidate));
}

function checkIban(candidate: string, emit: PiiEmit): void {
  let compact = candidate.replace(/ /g, '');
  // The last group may have swallowed a following word: cut to the country's length.
  const length = ibanLengths[compact.slice(0, 2)];
  if (length === undefined || compact.length < length) return;
  compact = compact.slice(0, length);
  if (ibanValid(compact)) emit('IBAN_CODE', maskMiddle(compact, 4, 4));
}

function checkBitcoin(candidate: string, emit: PiiEmit): void {
  const valid =
    candidate[0] === '1' || candidate[0] === '3'
      ? base58CheckAddressValid(candidate)
      : segwitAddressValid(candidate);
  if (valid) emit('CRYPTO', maskMiddle(candidate, 4, 4));
}

function checkEthereum(candidate: string, emit: PiiEmit): void {
  if (eip55AddressValid(candidate)) emit('CRYPTO', maskMiddle(candidate, 6, 4));
}

const phoneSeparated = /\d[ ().-]+\d/;
/** ISO dates and times are the commonest separated digit runs in chat text; never phone numbers. */
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function checkPhone(candidate: string, emit: PiiEmit): void {
  // A bare digit run is an id, an amount or a timestamp far more often than a phone number.
  if (candidate[0] !== '+' && candidate[0] !== '(' && !phoneSeparated.test(candidate)) return;
  if (isoDate.test(candidate)) return;
  for (const found of findPhoneNumbersInText(candidate, { defaultCountry: 'US' })) {
    const slice = candidate.slice(found.startsAt, found.endsAt);
    if (slice[0] !== '+' && !/[ ().-]/.test(slice)) continue;
    if (found.number.isValid()) emit('PHONE_NUMBER', maskPhone(slice));
  }
}

function scanIpv6(text: string, emit: PiiEmit): void {
  ipv6Candidates.lastIndex = 0;
  for (let match = ipv6Candidates.exec(text); match !== null; match = ipv6Candidates.exec(text)) {
    const candidate = match[0];
    if (candidate.length === 0) {
      ipv6Candidates.lastIndex++;
      continue;
    }
    // `::` alone (the unspecified address) and `a::b`-like fragments of code are not addresses.
    if (candidate.replace(/[^0-9A-Fa-f]/g, '').length < 3) continue;
    if (isIPv6(candidate)) emit('IP_ADDRESS', maskIp(candidate));
  }
}

/**
 * Emails by expanding around each `@` (linear: a regular expression with a leading `+` before
 * `@` would retry from every position of a long word). Local part up to 64 characters, domain of
 * at least two labels with an alphabetic TLD.
 */
function scanEmails(text: string, emit: PiiEmit): void {
  let at = text.indexOf('@');
  while (at >= 0) {
    let start = at;
    while (start > 0 && at - start < 64 && localPartChar.test(text[start - 1] as string)) start--;
    let end = at + 1;
    while (end < text.length && end - at <= 255 && domainChar.test(text[end] as string)) end++;
    // A sentence may end right after the address.
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    const local = text.slice(start, at);
    const domain = text.slice(at + 1, end);
    if (emailValid(local, domain)) emit('EMAIL_ADDRESS', maskEmail(`${local}@${domain}`));
    at = text.indexOf('@', Math.max(end, at + 1));
  }
}

const domainLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const topLevelDomain = /^[A-Za-z]{2,24}$/;

function emailValid(local: string, domain: string): boolean {
  if (local.length === 0 || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
    return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!topLevelDomain.test(labels[labels.length - 1] as string)) return false;
  return labels.every((label) => domainLabel.test(label));
}
