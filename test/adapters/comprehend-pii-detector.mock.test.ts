/** The Comprehend adapter against a mocked SDK client: the request it sends, the entities it reads. */
import { ComprehendClient, DetectPiiEntitiesCommand } from '@aws-sdk/client-comprehend';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ComprehendPiiDetector } from '../../lambdas/adapters/comprehend-pii-detector.js';

const comprehend = mockClient(ComprehendClient);

beforeEach(() => comprehend.reset());

describe('ComprehendPiiDetector', () => {
  it('sends the text in English and returns the entity types with their scores', async () => {
    comprehend.on(DetectPiiEntitiesCommand).resolves({
      Entities: [
        { Type: 'NAME', Score: 0.99, BeginOffset: 0, EndOffset: 8 },
        { Type: 'ADDRESS', Score: 0.6, BeginOffset: 20, EndOffset: 40 },
      ],
    });
    const detector = new ComprehendPiiDetector(new ComprehendClient({ region: 'us-east-1' }));
    expect(await detector.detect('Jane Doe lives at 1 Main Street')).toEqual([
      { type: 'NAME', score: 0.99 },
      { type: 'ADDRESS', score: 0.6 },
    ]);
    expect(comprehend.commandCalls(DetectPiiEntitiesCommand)[0]?.args[0].input).toEqual({
      Text: 'Jane Doe lives at 1 Main Street',
      LanguageCode: 'en',
    });
  });

  it('passes SDK errors on', async () => {
    comprehend
      .on(DetectPiiEntitiesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const detector = new ComprehendPiiDetector(new ComprehendClient({ region: 'us-east-1' }));
    await expect(detector.detect('text')).rejects.toThrow('denied');
  });
});
