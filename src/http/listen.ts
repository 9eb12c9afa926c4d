/**
 * Starting and stopping the HTTP (and probe) servers here the same way: listen resolves
 * with the bound address or rejects with the caller's error for a taken port, and close
 * drops idle keep-alive connections, which would otherwise hold it open.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { ERROR_CODES, PlaidSetupError } from '../errors';

export function listen(server: Server, port: number, host: string, portTaken?: (port: number) => Error): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' && portTaken ? portTaken(port) : err);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The error for a port another process holds, naming the variable that moves it. */
export function portInUse(what: string, variable: string): (port: number) => PlaidSetupError {
  return (port) =>
    new PlaidSetupError(
      ERROR_CODES.PORT_IN_USE,
      `Port ${port} (${what}) is already in use by another process. Stop that process, or set ${variable} to a free port.`,
    );
}

/**
 * Throws `portTaken(port)` when another process listens on host:port. For a server we do
 * not start ourselves (the Temporal dev server): without this it dies on the taken port
 * and we would go on talking to whatever listens there.
 */
export async function ensurePortFree(port: number, host: string, portTaken: (port: number) => Error): Promise<void> {
  const probe = createServer();
  await listen(probe, port, host, portTaken);
  await closeServer(probe);
}

/** A port free on 127.0.0.1 now: `preferred` when it is, else any the OS gives (0 asks for any). */
export async function freePort(preferred = 0): Promise<number> {
  const probe = async (port: number) => {
    const server = createServer();
    const address = await listen(server, port, '127.0.0.1');
    await closeServer(server);
    return address.port;
  };
  return probe(preferred).catch(() => probe(0));
}

/** Resolves once the server no longer listens (at once if it never did). */
export function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
