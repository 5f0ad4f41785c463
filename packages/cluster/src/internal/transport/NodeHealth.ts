import type { NodeAddressParts } from "../topology/ClusterSnapshot.ts"
import type { NodeTransport } from "./ClusterTransport.ts"

/**
 * A command waiting, unsent, for a silent node to answer again or for the topology to send it elsewhere (a
 * `ClusterRequest`). Held commands were never written, so sending them anywhere later is safe.
 */
export interface HeldCommand {
  /** Absolute deadline (`Date.now()` scale), or `Infinity`. */
  readonly deadline: number
  /** The caller is gone: drop the command. */
  readonly cancelled: boolean
  /** Something changed (the node answers, is declared unresponsive, or the topology moved): route and send again. */
  resume(): void
  /** The deadline passed while the command was held for `address`. */
  expire(address: string): void
}

/** What {@link NodeHealth} acts on; supplied by the node pool. */
export interface NodeHealthHooks {
  /** The shared connection of every node, by address. */
  readonly connections: () => Iterable<readonly [string, NodeTransport]>
  /** Where a node listens, for the probe. */
  readonly partsOf: (address: string) => NodeAddressParts | undefined
  /** Ask the refresher for a topology refresh (merged and rate-limited there). */
  readonly requestRefresh: (address: string) => void
  /** Stop trusting every connection to the node: reset them, failing their waiters as outcome unknown. */
  readonly reset: (address: string, reason: string) => void
}

/** How long, in ms, each step of {@link NodeHealth} waits, all derived from the cluster's node timeout. */
export interface SilenceTimings {
  /** `cluster-node-timeout`: the cluster itself fails a node over after it was unreachable this long. */
  readonly nodeTimeoutMs: number
  /** Silence after which a node is suspected: refreshes start, new commands are held, a probe is sent. */
  readonly suspectAfterMs: number
  /** Time the probe (connect + PING on a separate connection) has to answer. */
  readonly probeTimeoutMs: number
  /** Period of the check. */
  readonly tickMs: number
}

/** The timings for a node timeout (see {@link SilenceTimings}). */
export const silenceTimings = (nodeTimeoutMs: number): SilenceTimings => {
  const suspectAfterMs = nodeTimeoutMs / 2
  return {
    nodeTimeoutMs,
    suspectAfterMs,
    probeTimeoutMs: Math.min(1_000, Math.max(250, nodeTimeoutMs / 4)),
    tickMs: Math.min(100, Math.max(10, suspectAfterMs / 10))
  }
}

/** Redis' default `cluster-node-timeout`, used until (or unless) the cluster's own is known. */
export const DEFAULT_NODE_TIMEOUT_MS = 15_000

type Probe = "none" | "pending" | "alive" | "failed"

/** One node that stopped answering. */
interface Silence {
  readonly address: string
  /** When its silence began (the first unanswered write). */
  readonly since: number
  /** Suspected (silent past `suspectAfterMs`), or unresponsive (and its probe failed too). */
  phase: "suspect" | "unresponsive"
  probe: Probe
  probeEndedAt: number
  /** Its connections were reset: outcomes of what was written there are unknown to their callers. */
  reset: boolean
  lastRefreshAt: number
}

/**
 * Tells a hung node from a busy one, fast, and keeps commands away from it.
 *
 * Checked every `tickMs` over the shared node connections (no cost per command: each connection only notes when
 * bytes last arrived). A node that owes replies and has sent nothing for half the cluster's node timeout is
 * suspected: the topology is refreshed at once and then every tick while it stays silent (the refresher merges
 * and rate-limits the requests), new commands for it are held unsent, and a probe (connect + PING on a separate
 * connection) tells a node that only runs something slow (its PING answers) from one that is gone. When the probe
 * fails too the node is unresponsive: held commands fail at once with `NodeUnresponsiveError` if the client asked
 * for that. Once it has been silent for the whole node timeout, the point after which the cluster may have
 * promoted a replica, its connections are reset: what was written there fails as outcome unknown, and nothing it
 * sends afterwards can be taken for a success. Held commands are sent again as soon as the node answers (a probe
 * succeeds or bytes arrive) or the topology moves its slots elsewhere.
 */
export class NodeHealth {
  /** Nodes whose new commands are held: the routing hot path checks `held.size` first. */
  readonly held = new Set<string>()
  private readonly silences = new Map<string, Silence>()
  private readonly waiting = new Map<string, Array<HeldCommand>>()
  /** Nodes whose probe answered recently: their silence is a slow command (WAIT...), not a hang. */
  private readonly trustedUntil = new Map<string, number>()
  /** Primaries serving slots in the current topology. */
  private primaries: ReadonlySet<string> = new Set()
  private lastTickAt = 0
  private readonly hooks: NodeHealthHooks
  timings: SilenceTimings

  constructor(hooks: NodeHealthHooks, nodeTimeoutMs: number = DEFAULT_NODE_TIMEOUT_MS) {
    this.hooks = hooks
    this.timings = silenceTimings(nodeTimeoutMs)
  }

  /** Uses the cluster's own `cluster-node-timeout` from now on. */
  setNodeTimeout(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.timings = silenceTimings(ms)
  }

  /** How long `address` has been silent when it is declared unresponsive, else `undefined`. */
  unresponsiveFor(address: string, now: number): number | undefined {
    const silence = this.silences.get(address)
    return silence !== undefined && silence.phase === "unresponsive" ? now - silence.since : undefined
  }

  /** Holds `command` until `address` answers again, the topology changes, or its deadline passes. */
  hold(address: string, command: HeldCommand): void {
    const list = this.waiting.get(address)
    if (list === undefined) this.waiting.set(address, [command])
    else list.push(command)
  }

  /**
   * The topology changed; `primaries` serve slots now. A silent node that lost its slots is reset at once (its
   * replica was promoted: anything it answers from now on comes from a demoted node), and every held command is
   * routed again.
   */
  topologyChanged(primaries: ReadonlySet<string>): void {
    const before = this.primaries
    this.primaries = primaries
    for (const silence of this.silences.values()) {
      if (!silence.reset && before.has(silence.address) && !primaries.has(silence.address)) {
        silence.reset = true
        this.hooks.reset(
          silence.address,
          `${silence.address} answered nothing for ${Date.now() - silence.since} ms and the cluster has promoted another primary for its slots: outcome unknown`
        )
      }
    }
    for (const address of [...this.waiting.keys()]) this.resumeHeld(address)
  }

  /** Nodes that left the cluster: nothing to watch there any more. */
  retain(addresses: ReadonlySet<string>): void {
    for (const address of [...this.silences.keys()]) if (!addresses.has(address)) this.clear(address)
  }

  /** The probe of `address` ended: `alive` when the node answered anything. */
  probed(address: string, alive: boolean, now: number): void {
    const silence = this.silences.get(address)
    if (silence === undefined) return
    silence.probe = alive ? "alive" : "failed"
    silence.probeEndedAt = now
    if (alive) {
      // It answers others: the silence on its shared connection is a slow command. Check again one period later.
      this.trustedUntil.set(address, now + this.timings.suspectAfterMs)
      this.clear(address)
    }
  }

  /**
   * One check at `now`; returns the nodes to probe. A tick that comes late (the event loop was blocked) decides
   * nothing: replies may be waiting unread in the socket, and the next tick sees them.
   */
  tick(now: number): ReadonlyArray<NodeAddressParts> {
    const { nodeTimeoutMs, suspectAfterMs, probeTimeoutMs, tickMs } = this.timings
    const late = now - this.lastTickAt > 3 * tickMs + 50
    this.lastTickAt = now
    if (late) return []
    const probes: Array<NodeAddressParts> = []
    const probe = (silence: Silence) => {
      const parts = this.hooks.partsOf(silence.address)
      if (parts === undefined) return
      silence.probe = "pending"
      probes.push(parts)
    }
    for (const [address, conn] of this.hooks.connections()) {
      const silentFor = conn.silentForMs(now)
      const silence = this.silences.get(address)
      if (silentFor >= suspectAfterMs) {
        if (silence !== undefined || (this.trustedUntil.get(address) ?? 0) > now) continue
        const fresh: Silence = { address, since: now - silentFor, phase: "suspect", probe: "none", probeEndedAt: 0, reset: false, lastRefreshAt: now }
        this.silences.set(address, fresh)
        this.held.add(address)
        this.hooks.requestRefresh(address)
        probe(fresh)
      } else if (silence !== undefined && !silence.reset) {
        // Bytes arrived: the node answers again.
        this.clear(address)
      }
    }
    for (const silence of this.silences.values()) {
      const silentFor = now - silence.since
      // Keep asking while a primary's failover may be under way (the election follows the node timeout), then now
      // and then: a node that serves no slots (a replica, or a primary already replaced) matters less.
      const serving = this.primaries.size === 0 || this.primaries.has(silence.address)
      const refreshEvery = serving && silentFor < 3 * nodeTimeoutMs ? 0 : nodeTimeoutMs
      if (now - silence.lastRefreshAt >= refreshEvery) {
        silence.lastRefreshAt = now
        this.hooks.requestRefresh(silence.address)
      }
      if (silence.probe === "failed" && silence.phase === "suspect") {
        silence.phase = "unresponsive"
        // Held commands see the new state (they fail at once when the client asked for fail-fast).
        this.resumeHeld(silence.address)
      }
      if (silence.phase === "unresponsive" && !silence.reset && silentFor >= nodeTimeoutMs) {
        silence.reset = true
        this.hooks.reset(
          silence.address,
          `${silence.address} answered nothing for ${Math.round(silentFor)} ms (cluster-node-timeout ${nodeTimeoutMs} ms) and does not answer a PING either: outcome unknown`
        )
      }
      // Once declared unresponsive, probe again now and then: a node that comes back releases its held commands.
      // A node that no longer serves slots (its replica took over, or it died for good) is probed rarely.
      const probeEvery = serving ? Math.max(probeTimeoutMs, 250) : nodeTimeoutMs
      if (silence.probe === "failed" && now - silence.probeEndedAt >= probeEvery) probe(silence)
    }
    this.expireHeld(now)
    return probes
  }

  private clear(address: string): void {
    this.silences.delete(address)
    this.held.delete(address)
    this.resumeHeld(address)
  }

  private resumeHeld(address: string): void {
    const list = this.waiting.get(address)
    if (list === undefined) return
    this.waiting.delete(address)
    for (const command of list) if (!command.cancelled) command.resume()
  }

  private expireHeld(now: number): void {
    for (const [address, list] of this.waiting) {
      let kept = 0
      for (const command of list) {
        if (command.cancelled) continue
        if (command.deadline <= now) command.expire(address)
        else list[kept++] = command
      }
      list.length = kept
      if (kept === 0) this.waiting.delete(address)
    }
  }
}
