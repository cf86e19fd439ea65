/**
 * Masking: what a finding shows instead of the value. Every mask keeps at most a short prefix
 * and suffix (never more than half of the value) and replaces the rest with `*`, so a report
 * lets a person find the record without repeating the personal data or the credential.
 */

/** The longest run of `*` written: a 200-character token does not need 192 stars. */
const MAX_STARS = 24;

/** Keeps `start` leading and `end` trailing characters (less for short values), masks the rest. */
export function maskMiddle(value: string, start: number, end: number): string {
  const half = Math.floor(value.length / 2);
  let keepStart = start;
  let keepEnd = end;
  if (keepStart + keepEnd > half) {
    keepStart = Math.min(keepStart, Math.floor(half / 2));
    keepEnd = Math.min(keepEnd, half - keepStart);
  }
  const hidden = value.length - keepStart - keepEnd;
  return `${value.slice(0, keepStart)}${'*'.repeat(Math.min(hidden, MAX_STARS))}${value.slice(value.length - keepEnd)}`;
}

/** `4111********1111`: first and last four digits, as card receipts show them. */
export function maskCard(digits: string): string {
  return maskMiddle(digits, 4, 4);
}

/** `***-**-6789`: the serial only, as SSA correspondence shows it. */
export function maskSsn(digits: string): string {
  return `***-**-${digits.slice(5)}`;
}

/** `j***@example.com`: the first character of the local part and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** `+* (***) ***-**71`: the layout and the last two digits. */
export function maskPhone(text: string): string {
  let digitsLeft = text.replace(/\D/g, '').length;
  let out = '';
  for (const char of text) {
    if (char >= '0' && char <= '9') {
      out += digitsLeft <= 2 ? char : '*';
      digitsLeft--;
    } else out += char;
  }
  return out;
}

/** `192.*.*.*` or `2001:****`: the first octet or group only. */
export function maskIp(ip: string): string {
  if (ip.includes(':')) return `${ip.slice(0, ip.indexOf(':'))}:****`;
  return `${ip.slice(0, ip.indexOf('.'))}.*.*.*`;
}
