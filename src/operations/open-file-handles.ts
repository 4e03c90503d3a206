import { Injectable } from '@nestjs/common';

/**
 * Counts the file handles FileStorageService holds open right now (exported as a metric). A
 * handle is counted when opened; the release function it is given runs when the handle closes
 * (Descriptor calls it at most once), so every close path is covered.
 */
@Injectable()
export class OpenFileHandles {
  private open = 0;

  get count(): number {
    return this.open;
  }

  /** Counts one more open handle and returns the function that uncounts it. */
  opened(): () => void {
    this.open += 1;
    return () => {
      this.open -= 1;
    };
  }
}
