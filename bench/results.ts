/**
 * Where `npm run bench` keeps its figures besides printing them: BENCH_RESULTS (default
 * bench-results.json at the top of the repo, git-ignored), one entry per benchmark, with the
 * machine's core count and the commit they were measured on. Benchmarks run one after the
 * other (maxWorkers 1), so each rewrites the file in turn.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_FILE = process.env.BENCH_RESULTS ?? path.resolve(__dirname, '../bench-results.json');

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Records one benchmark's figures (numbers in ms, MB or ratios, as their names say). */
export function record(bench: string, figures: Record<string, unknown>): void {
  const earlier = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { results?: Record<string, unknown> }) : {};
  const file = {
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    results: { ...(earlier.results ?? {}), [bench]: { ...figures, commit: commit(), at: new Date().toISOString() } },
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * CPU time used so far by this process and by its child processes that run `start-dev` (the
 * Temporal dev server), in ms; `server` is undefined where /proc is not there to read.
 */
export function cpuNow(): { self: number; server: number | undefined } {
  const usage = process.cpuUsage();
  return { self: (usage.user + usage.system) / 1000, server: devServerCpuMs() };
}

// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every common architecture.
const TICK_MS = 10;

function devServerCpuMs(): number | undefined {
  try {
    const children = readdirSync('/proc/self/task').flatMap((task) => readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
    let ticks = 0;
    for (const pid of children) {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev')) continue;
      // Fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * TICK_MS;
  } catch {
    return undefined;
  }
}
