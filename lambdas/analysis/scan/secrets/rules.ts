/**
 * The secret rules: ids and regular expressions taken from gitleaks' default configuration
 * (`config/gitleaks.toml`, MIT), translated to JavaScript (inline `(?i)` became a flag or a
 * character class; gitleaks' trailing `(?:[\x60'"\s;]|\\[nr]|$)` became a lookahead). No npm
 * package ships gitleaks' rules as data, and secretlint's rules are code for its own async
 * engine, so the subset that matters for AI datasets is kept here; when adding a rule, copy its
 * id and pattern from gitleaks and cite any change in a comment.
 *
 * Changes from gitleaks:
 * - `private-key` needs the header and 64 characters of key body, not the `-----END` line: a
 *   dataset often holds a key cut off mid-way, which still leaks it.
 * - `aws-secret-access-key` is not a current gitleaks rule (its generic rule covers it): a 40
 *   character base64 word is a secret key only next to an access key id or an
 *   `aws_secret_access_key`-like name, in the same string or as the field's name (see the visitor).
 * - gitleaks' allowlists (e.g. the `EXAMPLE` suffix of AWS's documentation keys) are not applied:
 *   a dataset that teaches models to write credentials is worth flagging too.
 */

export interface SecretRule {
  /** The gitleaks rule id. */
  id: string;
  /** Global; matched against one string at a time. */
  pattern: RegExp;
  /** Leading characters a mask may show: the token's public prefix (`ghp_`, `sk-ant-api03-`). */
  keepPrefix: number;
}

/** What ends a token: gitleaks' `(?:[\x60'"\s;]|\\[nr]|$)`, as a lookahead. */
const end = String.raw`(?=[\x60'"\s;,)\]}<>]|\\[nr]|$)`;

function rule(id: string, source: string, keepPrefix: number, flags = ''): SecretRule {
  return { id, pattern: new RegExp(source, `g${flags}`), keepPrefix };
}

export const secretRules: readonly SecretRule[] = [
  rule('aws-access-token', String.raw`\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`, 4),
  rule(
    'private-key',
    String.raw`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*(?:[A-Za-z0-9+/=:-]|\s|\\[nr]){64}`,
    0,
  ),
  rule('github-pat', String.raw`ghp_[0-9a-zA-Z]{36}`, 4),
  rule('github-oauth', String.raw`gho_[0-9a-zA-Z]{36}`, 4),
  rule('github-app-token', String.raw`(?:ghu|ghs)_[0-9a-zA-Z]{36}`, 4),
  rule('github-refresh-token', String.raw`ghr_[0-9a-zA-Z]{36}`, 4),
  rule('github-fine-grained-pat', String.raw`github_pat_\w{82}`, 11),
  rule('gitlab-pat', String.raw`glpat-[\w-]{20}`, 6),
  rule(
    'openai-api-key',
    String.raw`\b(?:sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})${end}`,
    3,
  ),
  rule('anthropic-api-key', String.raw`\bsk-ant-api03-[a-zA-Z0-9_-]{93}AA${end}`, 13),
  rule('anthropic-admin-api-key', String.raw`\bsk-ant-admin01-[a-zA-Z0-9_-]{93}AA${end}`, 15),
  rule('huggingface-access-token', String.raw`\b[hH][fF]_[a-zA-Z]{34}${end}`, 3),
  rule('huggingface-organization-api-token', String.raw`\bapi_org_[a-zA-Z]{34}${end}`, 8),
  rule('slack-bot-token', String.raw`xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*`, 5),
  rule('slack-legacy-bot-token', String.raw`xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}`, 5),
  rule('slack-user-token', String.raw`xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}`, 5),
  rule('slack-app-token', String.raw`xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+`, 5, 'i'),
  rule('slack-legacy-workspace-token', String.raw`xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}`, 5),
  rule('slack-legacy-token', String.raw`xox[os]-\d+-\d+-\d+-[a-fA-F\d]+`, 5),
  rule(
    'slack-webhook-url',
    String.raw`(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}`,
    0,
  ),
  rule('gcp-api-key', String.raw`\bAIza[\w-]{35}${end}`, 4),
  rule('stripe-access-token', String.raw`\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}${end}`, 8),
  rule('npm-access-token', String.raw`\bnpm_[a-zA-Z0-9]{36}${end}`, 4),
  rule('pypi-upload-token', String.raw`pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}`, 5),
  rule('sendgrid-api-token', String.raw`\bSG\.[a-zA-Z0-9=_\-.]{66}${end}`, 3),
  rule(
    'jwt',
    String.raw`\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?${end}`,
    3,
  ),
];

/**
 * One cheap test per string before any rule runs: every rule's literal keyword (gitleaks'
 * `keywords`), plus the names next to which a 40-character AWS secret key is looked for.
 */
export const secretKeywords =
  /A(?:KIA|SIA|BIA|CCA|3T|Iza)|PRIVATE KEY|g(?:h[pousr]_|ithub_pat_|lpat-)|[sr]k[-_]|[hH][fF]_|api_org_|x(?:ox|app-)|hooks\.slack|npm_|pypi-|SG\.|eyJ|[sS]ecret_?[aA]ccess|SECRET_ACCESS|aws_?secret|AWS_?SECRET/;

/** Whether the character before each `char` in `text` is one of `before` (char codes). */
function someBefore(text: string, char: string, before: readonly number[]): boolean {
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) {
    if (before.includes(text.charCodeAt(at - 1))) return true;
  }
  return false;
}

/** Whether the character after each `char` in `text` is one of `after` (char codes). */
function someAfter(text: string, char: string, after: readonly number[]): boolean {
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) {
    if (after.includes(text.charCodeAt(at + 1))) return true;
  }
  return false;
}

/** `t-`, `k-`, `p-`, `i-`: the ends of `glpat-`, `sk-`/`rk-`, `xapp-`, `pypi-`. */
const beforeHyphen = [0x74, 0x6b, 0x70, 0x69];
/** `AK`, `AS`, `AB`, `AC`, `A3`, `AI`: the starts of `AKIA`, `ASIA`, `ABIA`, `ACCA`, `A3T`, `AIza`. */
const afterCapitalA = [0x4b, 0x53, 0x42, 0x43, 0x33, 0x49];

/**
 * A necessary condition of {@link secretKeywords}, built from `indexOf` on rare characters and
 * literals (native searches, several times cheaper than the keyword alternation on prose, which
 * tries every alternative at every position). Every keyword contains one of these:
 *   `_`: `gh?_`, `github_pat_`, `[sr]k_`, `[hH][fF]_`, `api_org_`, `npm_`, the `_` spellings below;
 *   `-` after t, k, p or i: `glpat-`, `[sr]k-`, `xapp-`, `pypi-`;
 *   `A` before K, S, B, C, 3 or I: the AWS and Google key prefixes;
 *   `PRIVATE KEY`, `xox`, `hooks.slack`, `SG.`, and `J` after `ey` (`eyJ`);
 *   `cret` or `CRET`: `[sS]ecret_?[aA]ccess`, `SECRET_ACCESS`, `aws_?secret`, `AWS_?SECRET`.
 * Keep it in step with {@link secretKeywords} when a keyword is added there (a property test
 * checks that it never misses what {@link secretKeywords} finds).
 */
export function mayHaveSecretKeyword(text: string): boolean {
  return (
    text.includes('_') ||
    someBefore(text, '-', beforeHyphen) ||
    someAfter(text, 'A', afterCapitalA) ||
    text.includes('cret') ||
    text.includes('CRET') ||
    text.includes('PRIVATE KEY') ||
    text.includes('xox') ||
    text.includes('hooks.slack') ||
    text.includes('SG.') ||
    someBefore(text, 'J', [0x79]) // `eyJ`: the `y` is checked here, the `e` by the keyword test
  );
}

/** A 40-character AWS secret access key shape, bounded by non-base64 characters. */
export const awsSecretKey = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** Names a secret access key goes by (environment variables, SDK config, CloudFormation). */
export const awsSecretKeyName = /secret_?access_?key|aws_?secret/i;
