/**
 * The validations that turn a candidate shape into a finding: check digits and checksums, so
 * that a random 16-digit number or a mistyped IBAN is not reported. Each function takes the
 * candidate's text and answers a boolean; none throws.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';

/** Luhn (mod 10) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Whether the digits start with a known issuer identification number (IIN) and have a length
 * that issuer uses. Luhn alone passes one random number in ten; the IIN ranges cut that further.
 */
export function knownCardIssuer(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return length === 13 || length === 16 || length === 19; // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16; // Mastercard
  if (two === 34 || two === 37) return length === 15; // American Express
  if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return length >= 14; // Diners
  if (four === 6011 || two === 65 || (three >= 644 && three <= 649)) return length >= 16; // Discover
  if (four >= 3528 && four <= 3589) return length >= 16; // JCB
  if (two === 62) return length >= 16; // UnionPay
  if (two === 50 || (two >= 56 && two <= 58) || two === 67) return length >= 13; // Maestro
  return false;
}

/**
 * SSA rules for a US Social Security number written as 9 digits: area 000, 666 and 900-999
 * (never issued; 9xx are ITINs), group 00 and serial 0000 were never assigned. Like Presidio's
 * `UsSsnRecognizer` we also reject numbers of one repeated digit and the well-known published
 * examples (123-45-6789, the Woolworth wallet card 078-05-1120, the SSA ad 219-09-9999), which
 * appear in text as examples, not as anyone's number.
 */
export function ssnValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  if (/^(\d)\1{8}$/.test(digits)) return false;
  return !publishedSsns.has(digits);
}

const publishedSsns = new Set(['123456789', '078051120', '219099999']);

/** IBAN length per country (ISO 13616 registry), used before the mod-97 check. */
// biome-ignore format: a table reads better in rows
export const ibanLengths: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616 mod-97 check on a compact, upper-case IBAN of the right length for its country. */
export function ibanValid(compact: string): boolean {
  if (ibanLengths[compact.slice(0, 2)] !== compact.length) return false;
  const check = Number(compact.slice(2, 4));
  if (check < 2 || check > 98) return false;
  // Move the country and check digits to the end; letters count as 10..35; remainder must be 1.
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 48 && code <= 57) remainder = (remainder * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const base58Values = new Map([...base58Alphabet].map((char, value) => [char, value]));

function base58Decode(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const char of text) {
    let carry = base58Values.get(char);
    if (carry === undefined) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] as number) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (let i = 0; i < text.length && text[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

function sha256d(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(createHash('sha256').update(bytes).digest()).digest();
}

/**
 * A legacy (P2PKH, `1...`) or script (P2SH, `3...`) Bitcoin address: base58check with version
 * byte 0x00 or 0x05, a 20-byte hash and the first 4 bytes of double SHA-256 as checksum.
 */
export function base58CheckAddressValid(address: string): boolean {
  const bytes = base58Decode(address);
  if (bytes?.length !== 25) return false;
  if (bytes[0] !== (address[0] === '1' ? 0x00 : 0x05)) return false;
  const checksum = sha256d(bytes.subarray(0, 21));
  for (let i = 0; i < 4; i++) if (bytes[21 + i] !== checksum[i]) return false;
  return true;
}

const bech32Alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const bech32Generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** BIP-173 (bech32, witness v0) and BIP-350 (bech32m, witness v1+) checksum constants. */
const bech32Constant = 1;
const bech32mConstant = 0x2bc830a3;

function bech32Polymod(values: number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= bech32Generators[i] as number;
  }
  return checksum >>> 0;
}

/**
 * A SegWit Bitcoin address (`bc1...`): bech32 for witness version 0 (20- or 32-byte program),
 * bech32m for versions 1 to 16 (BIP-350), one case throughout.
 */
export function segwitAddressValid(address: string): boolean {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
  const lower = address.toLowerCase();
  if (!lower.startsWith('bc1') || lower.length < 14 || lower.length > 90) return false;
  const data: number[] = [];
  for (let i = 3; i < lower.length; i++) {
    const value = bech32Alphabet.indexOf(lower[i] as string);
    if (value < 0) return false;
    data.push(value);
  }
  // hrp "bc" expanded: high bits, 0, low bits.
  const polymod = bech32Polymod([3, 3, 0, 2, 3, ...data]);
  const version = data[0] as number;
  if (version > 16) return false;
  if (polymod !== (version === 0 ? bech32Constant : bech32mConstant)) return false;
  const programBytes = Math.floor(((data.length - 7) * 5) / 8);
  if (version === 0) return programBytes === 20 || programBytes === 32;
  return programBytes >= 2 && programBytes <= 40;
}

/**
 * EIP-55: a mixed-case Ethereum address whose letters are upper-case exactly where the nibble of
 * keccak-256(lower-case hex) is 8 or more. An all-lower or all-upper address carries no checksum
 * and is not reported (it could be any 160-bit hex value).
 */
export function eip55AddressValid(address: string): boolean {
  const hex = address.slice(2);
  const lower = hex.toLowerCase();
  if (hex === lower || hex === hex.toUpperCase()) return false;
  const hash = keccak_256(new TextEncoder().encode(lower));
  for (let i = 0; i < 40; i++) {
    const char = hex[i] as string;
    if (char >= '0' && char <= '9') continue;
    const byte = hash[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (nibble >= 8 !== (char >= 'A' && char <= 'F')) return false;
  }
  return true;
}
