/**
 * The text decodings of protocol 0's string opcodes, as CPython applies them: STRING's operand
 * goes through `codecs.escape_decode`, UNICODE's through `raw-unicode-escape`. The walk must
 * read a module or class name exactly as CPython will, or an escaped `o\x73` would hide `os`.
 */

/** `codecs.escape_decode`: Python string-literal escapes, as protocol 0's STRING uses them. */
export function escapeDecode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  const simple: Record<number, number> = {
    92: 0x5c, // \\
    39: 0x27, // \'
    34: 0x22, // \"
    97: 0x07, // \a
    98: 0x08, // \b
    102: 0x0c, // \f
    110: 0x0a, // \n
    114: 0x0d, // \r
    116: 0x09, // \t
    118: 0x0b, // \v
  };
  const isOctal = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x37;
  const hex = (b: number | undefined): number => {
    if (b === undefined) return -1;
    const digit = Number.parseInt(String.fromCharCode(b), 16);
    return Number.isNaN(digit) ? -1 : digit;
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte !== 0x5c || i + 1 >= bytes.length) {
      out.push(byte);
      continue;
    }
    const next = bytes[i + 1] as number;
    if (next in simple) {
      out.push(simple[next] as number);
      i++;
    } else if (next === 0x0a) {
      i++;
    } else if (isOctal(next)) {
      let value = 0;
      let j = i + 1;
      while (j < bytes.length && j < i + 4 && isOctal(bytes[j]))
        value = value * 8 + ((bytes[j++] as number) - 0x30);
      out.push(value & 0xff);
      i = j - 1;
    } else if (next === 0x78 && hex(bytes[i + 2]) >= 0 && hex(bytes[i + 3]) >= 0) {
      out.push(hex(bytes[i + 2]) * 16 + hex(bytes[i + 3]));
      i += 3;
    } else {
      // Unknown escapes stay as written (CPython keeps the backslash too).
      out.push(byte);
    }
  }
  return Uint8Array.from(out);
}

/**
 * `raw-unicode-escape`: every byte a Latin-1 character, except `\uXXXX` and `\UXXXXXXXX`, which
 * are escapes only after an odd run of backslashes (as in CPython's decoder).
 */
export function rawUnicodeEscapeDecode(bytes: Uint8Array): string {
  const text = String.fromCharCode(...bytes);
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '\\') {
      out += text[i++];
      continue;
    }
    let run = 0;
    while (text[i + run] === '\\') run++;
    const after = i + run;
    const digits = text[after] === 'u' ? 4 : text[after] === 'U' ? 8 : 0;
    const hexText = text.slice(after + 1, after + 1 + digits);
    if (run % 2 === 1 && digits > 0 && hexText.length === digits && /^[0-9a-fA-F]+$/.test(hexText)) {
      const codePoint = Number.parseInt(hexText, 16);
      out += '\\'.repeat(run - 1) + (codePoint > 0x10ffff ? '\ufffd' : String.fromCodePoint(codePoint));
      i = after + 1 + digits;
    } else {
      out += '\\'.repeat(run);
      i = after;
    }
  }
  return out;
}
