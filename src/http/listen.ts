/**
 * Starting and stopping the HTTP (and probe) servers here the same way: listen resolves
 * with the bound address or rejects with the caller's error for a taken port, and close
 * drops idle keep-alive connections, which would otherwise hold it open.
 */
import type { AddressInfo, Server } from 'node:net';

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

/** Resolves once the server no longer listens (at once if it never did). */
export function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
