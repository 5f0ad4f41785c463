/**
 * Choosing a port nobody is using, without fixed ports, so two test runs on one machine never collide.
 *
 * Ports are drawn at random from 10000..22767: below the usual Linux ephemeral range (32768+), where the
 * kernel hands out ports for outgoing connections, and low enough that the cluster bus port (port + 10000)
 * stays below it too. A candidate is kept only if both the port and its bus port can be bound right now;
 * the remaining race (someone binds it before redis-server does) is handled by the caller retrying when
 * redis-server reports "Address already in use".
 *
 * @internal
 */
import { Effect } from "effect"
import * as net from "node:net"

const lowestPort = 10000
const highestPort = 22767
/** Redis' cluster bus listens on the client port plus this. */
export const clusterBusOffset = 10000

const canBind = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once("error", () => resolve(false))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)))
  })

/** Ports handed out by this process and not yet released, so parallel starts never pick the same one. */
const reserved = new Set<number>()
/** A reserved port occupies its bus port too, whether or not its server is in a cluster. */
const isTaken = (port: number): boolean => reserved.has(port) || reserved.has(port - clusterBusOffset)

/**
 * A port on `host` that is free now, together with `port + 10000` when `withClusterBus` is set. The port
 * stays reserved inside this process until {@link releasePort} is called.
 */
export const pickFreePort = (host: string, withClusterBus: boolean): Effect.Effect<number> =>
  Effect.promise(async () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const port = lowestPort + Math.floor(Math.random() * (highestPort - lowestPort + 1))
      if (isTaken(port) || isTaken(port + clusterBusOffset)) continue
      reserved.add(port)
      const free = (await canBind(host, port)) && (!withClusterBus || (await canBind(host, port + clusterBusOffset)))
      if (free) return port
      reserved.delete(port)
    }
    // 200 random misses means the range is essentially full: let the OS pick (no bus-port guarantee).
    return await new Promise<number>((resolve, reject) => {
      const server = net.createServer()
      server.once("error", reject)
      server.listen({ host, port: 0 }, () => {
        const port = (server.address() as net.AddressInfo).port
        server.close(() => resolve(port))
      })
    })
  })

/** Gives a port back once its server has exited for good. */
export const releasePort = (port: number): void => {
  reserved.delete(port)
}
