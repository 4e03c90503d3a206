import { Injectable } from '@nestjs/common';
import type { EventEmitter } from 'node:events';
import type { FileHandle } from 'node:fs/promises';

/**
 * Counts the file handles FileStorageService holds open right now (exported as a metric). Each
 * handle is counted when opened and uncounted by its own 'close' event, so every close path of the
 * storage service and the controller is covered without touching them.
 */
@Injectable()
export class OpenFileHandles {
  private open = 0;

  get count(): number {
    return this.open;
  }

  track(handle: FileHandle): void {
    this.open += 1;
    // A FileHandle is an EventEmitter at run time (Node ≥ 15.4) though @types/node does not say so.
    (handle as unknown as EventEmitter).once('close', () => {
      this.open -= 1;
    });
  }
}
