import { describe, expect, it } from 'vitest';
import { zipFile } from '../../binary/binary-fixtures.js';
import { osSystemPickle, scan, stateDictPickle } from './pickle-fixtures.js';

/** The layout `torch.save` writes: one folder, `data.pkl`, storages, `version`, `byteorder`. */
function checkpoint(dataPkl: Buffer, options: { deflate?: boolean } = {}): Buffer {
  return zipFile([
    { name: 'archive/data.pkl', data: dataPkl, deflate: options.deflate },
    { name: 'archive/byteorder', data: Buffer.from('little') },
    { name: 'archive/data/0', data: Buffer.alloc(16, 1) },
    { name: 'archive/data/1', data: Buffer.alloc(8, 2), deflate: true },
    { name: 'archive/version', data: Buffer.from('3\n') },
  ]);
}

describe('scanPickles on zip checkpoints', () => {
  it('finds a checkpoint with a safe stored data.pkl safe', async () => {
    // Act
    const { result } = await scan(checkpoint(stateDictPickle()), 'model.pt');

    // Assess
    expect(result?.status).toBe('safe');
    expect(result?.pickles.map((p) => p.name)).toEqual(['archive/data.pkl']);
    expect(result?.pickles[0]?.globals).toContain('torch._utils._rebuild_tensor_v2');
    expect(result?.reason).toBeUndefined();
  });

  it('inflates a deflated data.pkl and finds it safe', async () => {
    // Act
    const { result } = await scan(checkpoint(stateDictPickle(), { deflate: true }), 'model.pth');

    // Assess
    expect(result?.status).toBe('safe');
    expect(result?.pickles[0]?.opcodes).toBeGreaterThan(40);
  });

  it('flags a checkpoint whose data.pkl imports os.system, stored or deflated', async () => {
    // Act
    const stored = await scan(checkpoint(osSystemPickle()), 'model.pt');
    const deflated = await scan(checkpoint(osSystemPickle(), { deflate: true }), 'model.bin');

    // Assess
    for (const { result } of [stored, deflated]) {
      expect(result?.status).toBe('unsafe');
      expect(result?.unsafeGlobals).toEqual(['os.system']);
      expect(result?.reason).toContain('os.system (operating-system calls)');
    }
  });

  it('scans every pickle member of any zip, and names the unsafe one', async () => {
    // Prepare
    const file = zipFile([
      { name: 'a/data.pkl', data: stateDictPickle() },
      { name: 'extra/optimizer.pkl', data: osSystemPickle(), deflate: true },
      { name: 'README.md', data: Buffer.from('# hi') },
    ]);

    // Act
    const { result } = await scan(file, 'bundle.zip');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.pickles.map((p) => [p.name, p.unsafeGlobals])).toEqual([
      ['a/data.pkl', []],
      ['extra/optimizer.pkl', ['os.system']],
    ]);
  });

  it('refuses to inflate a member whose declared ratio is a zip bomb: not_scanned, never safe', async () => {
    // Prepare: 8 MiB that deflate to a few KiB (a ratio near 1000:1).
    const file = zipFile([{ name: 'archive/data.pkl', data: Buffer.alloc(8 * 1024 * 1024), deflate: true }]);

    // Act
    const { result, reader } = await scan(file, 'bomb.pt');

    // Assess
    expect(result?.status).toBe('not_scanned');
    expect(result?.pickles[0]?.opcodes).toBe(0);
    expect(result?.reason).toMatch(
      /archive\/data\.pkl: not inflated: .*compression ratio .* above the 200:1 zip-bomb limit/,
    );
    expect(reader.bytesRead).toBeLessThanOrEqual(file.length);
  });

  it('answers not_scanned for a member over the size limit and for pickles past the total limit', async () => {
    // Prepare
    const big = checkpoint(stateDictPickle());
    const two = zipFile([
      { name: 'a.pkl', data: stateDictPickle() },
      { name: 'b.pkl', data: stateDictPickle() },
    ]);
    const size = stateDictPickle().length;

    // Act
    const overSize = await scan(big, 'model.pt', { maxPickleBytes: 100 });
    const overTotal = await scan(two, 'x.zip', { maxTotalPickleBytes: size + 10 });

    // Assess
    expect(overSize.result?.status).toBe('not_scanned');
    expect(overSize.result?.reason).toContain('more than the 100-byte limit');
    expect(overTotal.result?.status).toBe('not_scanned');
    expect(overTotal.result?.pickles.map((p) => p.error)).toEqual([
      undefined,
      expect.stringContaining('pass the'),
    ]);
  });

  it('answers error for a malformed data.pkl', async () => {
    // Act
    const { result } = await scan(
      checkpoint(stateDictPickle().subarray(0, 30), { deflate: true }),
      'model.pt',
    );

    // Assess
    expect(result?.status).toBe('error');
    expect(result?.reason).toMatch(/^archive\/data\.pkl: the pickle is truncated/);
  });

  it('returns undefined for a zip without pickle members', async () => {
    // Act
    const { result } = await scan(zipFile([{ name: 'train.jsonl', data: Buffer.from('{}\n') }]), 'data.zip');

    // Assess
    expect(result).toBeUndefined();
  });

  it('answers error for an unreadable zip named as a checkpoint, undefined for a plain .zip', async () => {
    // Prepare
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);

    // Act
    const checkpointScan = await scan(broken, 'model.pt');
    const archiveScan = await scan(broken, 'files.zip');

    // Assess
    expect(checkpointScan.result?.status).toBe('error');
    expect(archiveScan.result).toBeUndefined();
  });
});
