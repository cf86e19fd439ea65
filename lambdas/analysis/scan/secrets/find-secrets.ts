import { maskMiddle } from '../pii/mask.js';
import {
  awsSecretKey,
  awsSecretKeyName,
  mayHaveSecretKeyword,
  secretKeywords,
  secretRules,
} from './rules.js';

export type SecretEmit = (ruleId: string, masked: string) => void;

/** How far from an access key id (or its name) a secret key still counts as "next to" it. */
const NEARBY_CHARS = 256;

/**
 * Scans one string with the rules of `rules.ts` and calls `emit` with each match's rule id and a
 * mask (the token's public prefix and last four characters). A span matched by one rule is not
 * reported again by a later one (`slack-bot-token` before `slack-legacy-bot-token`).
 * `fieldName` is the last segment of the field path, asked for only when a string is exactly
 * the shape of an AWS secret key. `keywords: false` says the caller knows no keyword occurs in
 * `text` (the record scanner checks a JSONL line once for all its strings): only the AWS secret
 * key shape is then looked at. Never throws.
 */
export function findSecrets(
  text: string,
  emit: SecretEmit,
  fieldName?: () => string | undefined,
  keywords = true,
): void {
  if (text.length === 40 && fieldName && isAwsSecretShape(text)) {
    const name = fieldName();
    if (name !== undefined && awsSecretKeyName.test(name)) {
      emit('aws-secret-access-key', maskMiddle(text, 0, 4));
      return;
    }
  }
  // The cheap gate first: most strings fail it and never meet the keyword alternation.
  if (!keywords || !mayHaveSecretKeyword(text) || !secretKeywords.test(text)) return;
  const claimed: [number, number][] = [];
  const accessKeyAt: number[] = [];
  for (const { id, pattern, keepPrefix } of secretRules) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const start = match.index;
      const stop = start + match[0].length;
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (claimed.some(([from, to]) => start < to && stop > from)) continue;
      claimed.push([start, stop]);
      if (id === 'aws-access-token') accessKeyAt.push(start);
      emit(id, maskSecret(id, match[0], keepPrefix));
    }
  }
  findAwsSecretKeys(text, accessKeyAt, claimed, emit);
}

function findAwsSecretKeys(
  text: string,
  accessKeyAt: number[],
  claimed: [number, number][],
  emit: SecretEmit,
): void {
  awsSecretKey.lastIndex = 0;
  for (let match = awsSecretKey.exec(text); match !== null; match = awsSecretKey.exec(text)) {
    const start = match.index;
    if (!isAwsSecretShape(match[0])) continue;
    if (claimed.some(([from, to]) => start < to && start + 40 > from)) continue;
    const nearKeyId = accessKeyAt.some((at) => Math.abs(at - start) <= NEARBY_CHARS);
    const before = text.slice(Math.max(0, start - 64), start);
    if (nearKeyId || awsSecretKeyName.test(before)) emit('aws-secret-access-key', maskMiddle(match[0], 0, 4));
  }
}

/** Mixed case, and not hex: a SHA-1 or a git commit id is 40 characters too. */
function isAwsSecretShape(text: string): boolean {
  return /^[A-Za-z0-9/+]{40}$/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text);
}

function maskSecret(id: string, token: string, keepPrefix: number): string {
  if (id === 'private-key') {
    // The header names the key type and is not secret; nothing of the body is shown.
    const header =
      /^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/.exec(token)?.[0] ?? '-----BEGIN';
    return `${header}****`;
  }
  if (id === 'slack-webhook-url') {
    const path = token.indexOf('.com/');
    return maskMiddle(token, path + 5, 4);
  }
  return maskMiddle(token, keepPrefix, 4);
}
