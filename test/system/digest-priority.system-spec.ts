import { readdirSync, readFileSync } from 'node:fs';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

/** The nice value of every thread of a process, from /proc/PID/task/TID/stat (field 19). */
function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('digest worker priority', () => {
  const root = new TempRoot();

  beforeAll(() => root.write('hello.txt', 'hello\n'));
  afterAll(() => root.cleanup());

  it('hashes in one thread at the lowest priority (nice 19), every serving thread at normal priority', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path });
    try {
      const pid = server.child.pid as number;
      await until(() => threadNiceValues(pid).includes(19), 'the digest worker thread at nice 19');
      const values = threadNiceValues(pid);
      expect(values.filter((nice) => nice === 19)).toHaveLength(1);
      expect(values.filter((nice) => nice !== 19).every((nice) => nice === 0)).toBe(true);
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]).toBe('0'); // the main thread
    } finally {
      await server.stop();
    }
  });

  it('has no such thread when digests are off', async () => {
    const server = await ServerProcess.start({ FILES_ROOT: root.path, DIGEST: 'off' });
    try {
      expect(threadNiceValues(server.child.pid as number).every((nice) => nice === 0)).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
