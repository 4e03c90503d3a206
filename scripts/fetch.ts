/**
 * A resuming download client that proves what it downloaded: `npm run fetch -- URL [FILE]`.
 *
 * - Keeps the partial bytes in FILE.part and what it knows about them in FILE.part.json (URL,
 *   validator, size, Repr-Digest, progress of each segment), so an interrupted run, a Ctrl-C, or a
 *   new run after a crash, continues where it stopped.
 * - Resumes with `Range` plus `If-Range` (RFC 9110 §13.1.5): a 206 continues the same version; a
 *   200 means the file changed on the server, and the download starts over cleanly from that body.
 * - `--parallel N` fetches N ranged segments at once (each resumable on its own).
 * - At the end it hashes the bytes and compares them with the server's `Repr-Digest` (RFC 9530):
 *   a mismatch fails loudly (exit code 3) and the file is not put in place.
 *
 * Only Node's standard library: run it anywhere with a supported Node (through `tsx`, or compile
 * it). The parts: options.ts (command line), segments.ts and state.ts (plans and saved progress,
 * pure), digests.ts (Repr-Digest parsing and comparison), http.ts (requests and their failures),
 * progress.ts (the progress line), download.ts (the download itself).
 */
import { rmSync } from 'node:fs';
import { Download } from './fetch/download.js';
import { EXIT, FetchError } from './fetch/exit-codes.js';
import { parseOptions, USAGE } from './fetch/options.js';

/** After Ctrl-C, how long the download may take to save its progress before the process just ends. */
const STOP_GRACE_MS = 5_000;
/** Signals closer than this to the first one are the same Ctrl-C, delivered twice. */
const REPEATED_SIGNAL_MS = 1_000;

async function main(): Promise<number> {
  const stop = new AbortController();
  let download: Download | undefined;
  let firstSignalAt: number | undefined;
  // Ctrl-C reaches us both ways: SIGINT to the whole process group (the terminal), and SIGINT to
  // npm alone, which passes it on to its child: this process, as package.json's script `exec`s
  // node with tsx as a loader (no shell, no tsx process in between, either of which would die of
  // the signal or add its own exit code). In a terminal it arrives twice within moments (the
  // terminal's, then npm's): those count as one. Only a Ctrl-C pressed again later cuts saving short.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      stop.abort(new Error(signal));
      // Should saving hang (a stuck disk), end anyway; the state on disk is always a whole earlier save.
      setTimeout(() => forceExit(download), STOP_GRACE_MS).unref();
      return;
    }
    if (Date.now() - firstSignalAt > REPEATED_SIGNAL_MS) forceExit(download);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const options = parseOptions(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (options === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return EXIT.failed;
    }
    download = new Download(options, stop.signal);
    return await download.run();
  } catch (error) {
    const code = error instanceof FetchError ? error.exitCode : EXIT.failed;
    process.stderr.write(`fetch: ${code === EXIT.mismatch ? 'ERROR: ' : ''}${error instanceof Error ? error.message : String(error)}\n`);
    return code;
  }
}

/** A second Ctrl-C, or a save that did not finish in time: no stray temporary file, exit 2. */
function forceExit(download: Download | undefined): void {
  if (download !== undefined) rmSync(download.temporaryPath, { force: true });
  process.stderr.write('\nfetch: stopped; run the same command again to resume\n');
  process.exit(EXIT.interrupted);
}

process.exitCode = await main();
