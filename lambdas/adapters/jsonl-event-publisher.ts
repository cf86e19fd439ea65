/**
 * `EventPublisher` for the local stack: every event is appended as one line to a JSON Lines
 * file (`.data/events.jsonl`), in the envelope EventBridge delivers to rule targets, so a script
 * written against the file reads real events the same way.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventPublisher } from '../core/downstream/ports.js';
import { eventSource, type UploadEvent } from '../core/downstream/upload-events.js';

export class JsonlEventPublisher implements EventPublisher {
  constructor(private readonly path: string) {}

  async publish(event: UploadEvent): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const envelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: eventSource,
      account: '000000000000',
      time: event.detail.occurredAt,
      region: 'local',
      resources: [],
      detail: event.detail,
    };
    // One write of one line with O_APPEND: concurrent publishers never interleave within a line.
    await appendFile(this.path, `${JSON.stringify(envelope)}\n`);
  }
}
