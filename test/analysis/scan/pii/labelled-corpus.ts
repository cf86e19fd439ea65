/**
 * A labelled PII corpus generated from a seed (no downloads): valid and invalid values of every
 * type, each placed in filler text that has numbers of its own. Valid check digits and checksums
 * are computed here, independently of the code under test (which only verifies them).
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { PiiType } from '../../../../lambdas/analysis/scan/pii/index.js';

export interface LabelledItem {
  /** The entity the value is, or `null` for a near-miss that must not be reported. */
  type: PiiType | null;
  raw: string;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => String(int(random, 0, 9))).join('');

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const cardPrefixes: [string, number][] = [
  ['4', 16],
  ['4', 13],
  ['51', 16],
  ['55', 16],
  ['2221', 16],
  ['2720', 16],
  ['34', 15],
  ['37', 15],
  ['6011', 16],
  ['65', 16],
  ['3530', 16],
];

function formatCard(random: Random, number: string): string {
  const style = int(random, 0, 2);
  if (style === 0 || number.length === 13) return number;
  const separator = style === 1 ? ' ' : '-';
  if (number.length === 15)
    return [number.slice(0, 4), number.slice(4, 10), number.slice(10)].join(separator);
  return number.match(/.{1,4}/g)?.join(separator) ?? number;
}

function cards(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    const [prefix, length] = pick(random, cardPrefixes);
    const body = prefix + digits(random, length - prefix.length - 1);
    const check = luhnCheckDigit(body);
    items.push({ type: 'CREDIT_CARD', raw: formatCard(random, `${body}${check}`) });
    // The same number with a wrong check digit: Luhn-invalid, never a card.
    const wrong = (check + int(random, 1, 9)) % 10;
    items.push({ type: null, raw: formatCard(random, `${body}${wrong}`) });
  }
  // Luhn-valid, but no issuer uses these prefixes.
  for (let i = 0; i < count / 4; i++) {
    const body = pick(random, ['9', '0', '8']) + digits(random, 14);
    items.push({ type: null, raw: `${body}${luhnCheckDigit(body)}` });
  }
  return items;
}

function ssns(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  const format = (area: number, group: number, serial: number) => {
    const separator = pick(random, ['-', '-', ' ']);
    return [
      String(area).padStart(3, '0'),
      String(group).padStart(2, '0'),
      String(serial).padStart(4, '0'),
    ].join(separator);
  };
  while (items.length < count) {
    const area = int(random, 1, 899);
    if (area === 666) continue;
    const raw = format(area, int(random, 1, 99), int(random, 1, 9999));
    const compact = raw.replace(/\D/g, '');
    if (/^(\d)\1+$/.test(compact) || ['123456789', '078051120', '219099999'].includes(compact)) continue;
    items.push({ type: 'US_SSN', raw });
  }
  for (let i = 0; i < count / 6; i++) {
    items.push({ type: null, raw: format(0, int(random, 1, 99), int(random, 1, 9999)) });
    items.push({ type: null, raw: format(666, int(random, 1, 99), int(random, 1, 9999)) });
    items.push({ type: null, raw: format(int(random, 900, 999), int(random, 1, 99), int(random, 1, 9999)) });
    items.push({ type: null, raw: format(int(random, 1, 899), 0, int(random, 1, 9999)) });
    items.push({ type: null, raw: format(int(random, 1, 899), int(random, 1, 99), 0) });
  }
  items.push({ type: null, raw: '123-45-6789' }, { type: null, raw: '078-05-1120' });
  return items;
}

/** Country, BBAN layout: `n` digit, `a` upper-case letter. */
const ibanLayouts: [string, string][] = [
  ['DE', 'n'.repeat(18)],
  ['GB', `aaaa${'n'.repeat(14)}`],
  ['FR', 'n'.repeat(23)],
  ['ES', 'n'.repeat(20)],
  ['IT', `a${'n'.repeat(22)}`],
  ['NL', `aaaa${'n'.repeat(10)}`],
  ['CH', 'n'.repeat(17)],
  ['BE', 'n'.repeat(12)],
  ['PL', 'n'.repeat(24)],
  ['NO', 'n'.repeat(11)],
];

function mod97(numeric: string): number {
  let remainder = 0;
  for (const char of numeric) {
    const value = char >= 'A' ? String(char.charCodeAt(0) - 55) : char;
    for (const d of value) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

export function ibanWithCheckDigits(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

function formatIban(random: Random, compact: string): string {
  return random() < 0.5 ? compact : (compact.match(/.{1,4}/g)?.join(' ') ?? compact);
}

function ibans(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    const [country, layout] = pick(random, ibanLayouts);
    const bban = [...layout]
      .map((kind) => (kind === 'n' ? String(int(random, 0, 9)) : String.fromCharCode(int(random, 65, 90))))
      .join('');
    const iban = ibanWithCheckDigits(country, bban);
    items.push({ type: 'IBAN_CODE', raw: formatIban(random, iban) });
    // One digit of the BBAN changed: mod-97 catches every single substitution.
    const positions = [...iban].flatMap((char, index) => (index >= 4 && /\d/.test(char) ? [index] : []));
    const at = pick(random, positions);
    const changed = (Number(iban[at]) + int(random, 1, 9)) % 10;
    items.push({
      type: null,
      raw: formatIban(random, `${iban.slice(0, at)}${changed}${iban.slice(at + 1)}`),
    });
  }
  items.push(
    { type: 'IBAN_CODE', raw: 'GB82 WEST 1234 5698 7654 32' },
    { type: 'IBAN_CODE', raw: 'DE89 3704 0044 0532 0130 00' },
    { type: null, raw: 'GB83 WEST 1234 5698 7654 32' },
    { type: null, raw: 'DE89 3704 0044 0532 0130 01' },
  );
  return items;
}

const base58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Encode(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = base58[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

function base58CheckAddress(random: Random, version: number): string {
  const payload = Buffer.from([version, ...Array.from({ length: 20 }, () => int(random, 0, 255))]);
  const hash = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return base58Encode(Buffer.concat([payload, hash.subarray(0, 4)]));
}

const bech32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Address(random: Random): string {
  const program = Array.from({ length: 20 }, () => int(random, 0, 255));
  const five: number[] = [];
  let accumulator = 0;
  let bits = 0;
  for (const byte of program) {
    accumulator = (accumulator << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      five.push((accumulator >> bits) & 31);
    }
  }
  if (bits > 0) five.push((accumulator << (5 - bits)) & 31);
  const data = [0, ...five];
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let checksum = 1;
  for (const value of [3, 3, 0, 2, 3, ...data, 0, 0, 0, 0, 0, 0]) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= generators[i] as number;
  }
  checksum = (checksum ^ 1) >>> 0;
  const check = Array.from({ length: 6 }, (_, i) => (checksum >>> (5 * (5 - i))) & 31);
  return `bc1${[...data, ...check].map((value) => bech32[value]).join('')}`;
}

function eip55Address(random: Random): string {
  const hex = Array.from({ length: 40 }, () => '0123456789abcdef'[int(random, 0, 15)]).join('');
  const hash = keccak_256(new TextEncoder().encode(hex));
  const mixed = [...hex]
    .map((char, i) => {
      const byte = hash[i >> 1] as number;
      const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
      return nibble >= 8 ? char.toUpperCase() : char;
    })
    .join('');
  return `0x${mixed}`;
}

/** One character replaced by another of the same alphabet (and case, for bech32). */
function corrupt(random: Random, address: string, from: number, alphabet: string): string {
  const at = int(random, from, address.length - 1);
  let replacement = address[at] as string;
  while (replacement === address[at]) replacement = pick(random, [...alphabet]);
  return `${address.slice(0, at)}${replacement}${address.slice(at + 1)}`;
}

function flipOneLetterCase(random: Random, address: string): string {
  const letters = [...address].flatMap((char, i) => (i >= 2 && /[a-fA-F]/.test(char) ? [i] : []));
  const at = pick(random, letters);
  const char = address[at] as string;
  const flipped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
  return `${address.slice(0, at)}${flipped}${address.slice(at + 1)}`;
}

function cryptos(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0 || kind === 1) {
      const address = base58CheckAddress(random, kind === 0 ? 0x00 : 0x05);
      items.push({ type: 'CRYPTO', raw: address }, { type: null, raw: corrupt(random, address, 1, base58) });
    } else if (kind === 2) {
      const address = bech32Address(random);
      items.push({ type: 'CRYPTO', raw: address }, { type: null, raw: corrupt(random, address, 4, bech32) });
    } else {
      const address = eip55Address(random);
      items.push({ type: 'CRYPTO', raw: address }, { type: null, raw: flipOneLetterCase(random, address) });
    }
  }
  items.push(
    { type: 'CRYPTO', raw: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa' },
    { type: 'CRYPTO', raw: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy' },
    { type: 'CRYPTO', raw: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' },
    { type: 'CRYPTO', raw: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
    { type: null, raw: '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb' },
    { type: null, raw: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' },
  );
  return items;
}

const firstNames = ['john', 'maria', 'wei', 'amina', 'lars', 'priya', 'diego', 'yuki'];
const domains = ['example.com', 'mail.example.org', 'corp.example.co.uk', 'uni.example.edu'];

function emails(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    const local = `${pick(random, firstNames)}${pick(random, ['.', '_', '+', ''])}${pick(random, firstNames)}${int(random, 0, 99)}`;
    items.push({ type: 'EMAIL_ADDRESS', raw: `${local}@${pick(random, domains)}` });
  }
  items.push(
    { type: null, raw: '@handle' },
    { type: null, raw: 'user@localhost' },
    { type: null, raw: 'john at example dot com' },
    { type: null, raw: 'a@b' },
  );
  return items;
}

const areaCodes = ['201', '212', '213', '312', '415', '617', '646', '702', '818', '919'];

function phones(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    const area = pick(random, areaCodes);
    const exchange = `${int(random, 2, 9)}${digits(random, 2)}`;
    const line = digits(random, 4);
    const raw = pick(random, [
      `(${area}) ${exchange}-${line}`,
      `${area}-${exchange}-${line}`,
      `+1 ${area} ${exchange} ${line}`,
      `${area}.${exchange}.${line}`,
    ]);
    items.push({ type: 'PHONE_NUMBER', raw });
  }
  items.push(
    { type: 'PHONE_NUMBER', raw: '+44 20 7946 0958' },
    { type: 'PHONE_NUMBER', raw: '+49 30 901820' },
    { type: null, raw: '(123) 456-7890' },
    { type: null, raw: '2024-01-15' },
    { type: null, raw: 'v1.2.3' },
  );
  return items;
}

function ips(random: Random, count: number): LabelledItem[] {
  const items: LabelledItem[] = [];
  for (let i = 0; i < count; i++) {
    items.push({
      type: 'IP_ADDRESS',
      raw: [int(random, 1, 223), int(random, 0, 255), int(random, 0, 255), int(random, 1, 254)].join('.'),
    });
  }
  items.push(
    { type: 'IP_ADDRESS', raw: '2001:db8::1' },
    { type: 'IP_ADDRESS', raw: 'fe80::1ff:fe23:4567:890a' },
    { type: 'IP_ADDRESS', raw: '2001:0db8:85a3:0000:0000:8a2e:0370:7334' },
    { type: null, raw: '999.10.10.10' },
    { type: null, raw: '256.1.2.3' },
    { type: null, raw: '10:30:45' },
  );
  return items;
}

/** The whole corpus, shuffled by the same seed. */
export function labelledCorpus(seed = 20240611): LabelledItem[] {
  const random = seededRandom(seed);
  const items = [
    ...cards(random, 200),
    ...ssns(random, 200),
    ...ibans(random, 150),
    ...cryptos(random, 160),
    ...emails(random, 60),
    ...phones(random, 60),
    ...ips(random, 60),
  ];
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as LabelledItem, items[i] as LabelledItem];
  }
  return items;
}

/** Sentences around a value, with numbers of their own (a year, a count, a time). */
export function sentence(index: number, raw: string): string {
  const templates = [
    (v: string) => `Hi, my details are ${v} - can you update the account? Order 48213 from 2023.`,
    (v: string) => `Please use ${v} for the refund of $129.99 by 5 pm.`,
    (v: string) => `Noted: ${v}. We spoke at 10:30 about ticket #7741 and 3 invoices.`,
    (v: string) => `${v}`,
  ];
  return (templates[index % templates.length] as (v: string) => string)(raw);
}
