import { describe, expect, it } from 'vitest';
import { createSecretsVisitor } from '../../../../lambdas/analysis/scan/secrets/index.js';
import { chat, jsonl, parse } from '../../formats/parse-helpers.js';
import { seededRandom } from '../pii/labelled-corpus.js';

const random = seededRandom(7);
const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Random characters: fake tokens are built at run time, so no token-shaped literal sits in the repo. */
function chars(count: number, alphabet = alnum): string {
  return Array.from({ length: count }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const upperBase32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Well-formed fake credentials, labelled with the gitleaks rule id that must report them. */
function fakeSecrets(): { id: string; raw: string }[] {
  const header = ['-----BEGIN', 'RSA', 'PRIVATE', 'KEY-----'].join(' ');
  return [
    { id: 'aws-access-token', raw: `AKIA${'IOSFODNN7EXAMPLE'}` },
    { id: 'aws-access-token', raw: `ASIA${chars(16, upperBase32)}` },
    { id: 'private-key', raw: `${header}\n${chars(64)}\n${chars(64)}\n-----END RSA PRIVATE KEY-----` },
    { id: 'github-pat', raw: `ghp_${chars(36)}` },
    { id: 'github-oauth', raw: `gho_${chars(36)}` },
    { id: 'github-app-token', raw: `ghs_${chars(36)}` },
    { id: 'github-fine-grained-pat', raw: `github_pat_${chars(82)}` },
    { id: 'openai-api-key', raw: `sk-proj-${chars(74)}T3BlbkFJ${chars(74)}` },
    { id: 'openai-api-key', raw: `sk-${chars(20)}T3BlbkFJ${chars(20)}` },
    { id: 'anthropic-api-key', raw: `sk-ant-api03-${chars(93)}AA` },
    { id: 'huggingface-access-token', raw: `hf_${chars(34, letters)}` },
    { id: 'slack-bot-token', raw: `xoxb-${chars(11, '0123456789')}-${chars(12, '0123456789')}-${chars(24)}` },
    {
      id: 'slack-user-token',
      raw: `xoxp-${chars(10, '0123456789')}-${chars(10, '0123456789')}-${chars(12, '0123456789')}-${chars(32, 'abcdef0123456789')}`,
    },
    {
      id: 'slack-webhook-url',
      raw: `https://hooks.slack.com/services/T${chars(8)}/B${chars(10)}/${chars(24)}`,
    },
    { id: 'gcp-api-key', raw: `AIza${chars(35)}` },
    { id: 'stripe-access-token', raw: `sk_live_${chars(24)}` },
    { id: 'jwt', raw: `eyJhbGciOiJIUzI1NiJ9.eyJ${chars(30)}.${chars(43)}` },
    { id: 'npm-access-token', raw: `npm_${chars(36)}` },
  ];
}

function scan(records: unknown[]) {
  const visitor = createSecretsVisitor();
  records.forEach((record, index) => {
    visitor.onRecord(record, { line: index + 1, index });
  });
  return visitor.summary();
}

describe('createSecretsVisitor', () => {
  it('reports each well-formed credential under its gitleaks rule id, in chat lines and CSV rows', async () => {
    // Prepare
    const secrets = fakeSecrets();
    const chatText = jsonl(
      ...secrets.map(({ raw }) => chat(`my key is ${raw} please keep it`, 'Rotate it now.')),
    );
    const csvText = `name,value\n${secrets.map(({ id, raw }) => `${id},"${raw.replace(/\n/g, '\\n')}"`).join('\n')}\n`;
    const chatVisitor = createSecretsVisitor();
    const csvVisitor = createSecretsVisitor();

    // Act
    await parse('jsonl', chatText, { visitors: [chatVisitor] });
    await parse('csv', csvText, { visitors: [csvVisitor] });

    // Assess
    const expected: Record<string, number> = {};
    for (const { id } of secrets) expected[id] = (expected[id] ?? 0) + 1;
    expect(chatVisitor.summary().counts).toEqual(expected);
    expect(csvVisitor.summary().counts).toEqual(expected);
  });

  it('masks to a short prefix and suffix and never puts a raw token in the summary', () => {
    // Prepare
    const secrets = fakeSecrets();

    // Act
    const summary = scan(secrets.map(({ raw }) => ({ text: raw })));

    // Assess
    expect(summary.samples[0]).toEqual({
      type: 'aws-access-token',
      line: 1,
      field: 'text',
      masked: 'AKIA************MPLE',
    });
    const serialized = JSON.stringify(summary);
    for (const { id, raw } of secrets) {
      expect(serialized).not.toContain(raw);
      // A private key's header and footer are not secret; its body is.
      const secretPart = id === 'private-key' ? (raw.split('\n')[1] ?? '') : raw;
      expect(serialized).not.toContain(secretPart.slice(-20));
    }
  });

  it('reports an AWS secret key next to its access key id, or under a secret-key field name', () => {
    // Prepare
    const secretKey = `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`;
    const records = [
      { content: `aws_access_key_id=AKIA${'IOSFODNN7EXAMPLE'} aws_secret_access_key=${secretKey}` },
      { aws_access_key_id: `AKIA${chars(16, upperBase32)}`, aws_secret_access_key: secretKey },
      { content: `commit ${chars(40, 'abcdef0123456789')} and a random ${chars(40)} word` },
    ];

    // Act
    const summary = scan(records);

    // Assess
    expect(summary.counts).toEqual({ 'aws-access-token': 2, 'aws-secret-access-key': 2 });
    expect(summary.samples.filter((s) => s.type === 'aws-secret-access-key')).toEqual([
      { type: 'aws-secret-access-key', line: 1, field: 'content', masked: '************************EKEY' },
      {
        type: 'aws-secret-access-key',
        line: 2,
        field: 'aws_secret_access_key',
        masked: '************************EKEY',
      },
    ]);
  });

  it('reports nothing for look-alikes: prose, short or truncated tokens, hashes', () => {
    // Act
    const summary = scan([
      { text: 'a risk-free plan; the task-list has 3 items; use sk- keys from the console' },
      { text: `ghp_${chars(20)} sk-ant-api03-${chars(20)} hf_short AKIA1234 xoxb-12 AIzaShort` },
      { text: `sha1 ${chars(40, 'abcdef0123456789')}, -----BEGIN PUBLIC KEY-----` },
    ]);

    // Assess
    expect(summary.total).toBe(0);
  });
});
