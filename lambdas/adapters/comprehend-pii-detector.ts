/** {@link PiiEntityDetector} on Amazon Comprehend's DetectPiiEntities (English). */
import { type ComprehendClient, DetectPiiEntitiesCommand } from '@aws-sdk/client-comprehend';
import type { PiiEntity, PiiEntityDetector } from '../core/completion/comprehend-sample.js';

export class ComprehendPiiDetector implements PiiEntityDetector {
  readonly engine = 'Amazon Comprehend DetectPiiEntities';

  constructor(private readonly client: ComprehendClient) {}

  async detect(text: string): Promise<PiiEntity[]> {
    const { Entities = [] } = await this.client.send(
      new DetectPiiEntitiesCommand({ Text: text, LanguageCode: 'en' }),
    );
    return Entities.map((entity) => ({ type: entity.Type ?? 'UNKNOWN', score: entity.Score ?? 0 }));
  }
}
