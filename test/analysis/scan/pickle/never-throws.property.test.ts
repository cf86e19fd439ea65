import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zipFile } from '../../binary/binary-fixtures.js';
import { osSystemPickle, scan, stateDictPickle } from './pickle-fixtures.js';

const prefixes = [
  [],
  [0x80, 0x02],
  [0x80, 0x04],
  [0x80, 0x05],
  [0x63],
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
];
const names = ['x.pkl', 'x.pickle', 'x.pt', 'x.bin', 'x.ckpt', 'x.zip', 'x.txt'];
const statuses = ['safe', 'unsafe', 'error', 'not_scanned'];

describe('scanPickles on arbitrary bytes', () => {
  it('never throws, and answers one of the four statuses or undefined', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(...names),
        async (prefix, rest, name) => {
          // Act
          const { result } = await scan(Buffer.concat([Buffer.from(prefix), rest]), name);

          // Assess
          if (result !== undefined) expect(statuses).toContain(result.status);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never answers safe for a pickle cut short anywhere', async () => {
    const whole = stateDictPickle();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: whole.length - 1 }), async (length) => {
        // Act
        const { result } = await scan(whole.subarray(0, length), 'cut.pkl');

        // Assess
        expect(result?.status).not.toBe('safe');
      }),
    );
  });

  it('never throws on mutated checkpoints, and never calls one hiding os.system safe', async () => {
    const file = zipFile([{ name: 'archive/data.pkl', data: osSystemPickle(), deflate: true }]);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: file.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        async (at, byte) => {
          // Prepare
          const mutated = Buffer.from(file);
          mutated[at] = byte;

          // Act
          const { result } = await scan(mutated, 'model.pt');

          // Assess
          expect(result?.status).not.toBe('safe');
        },
      ),
      { numRuns: 300 },
    );
  });
});
