/**
 * The processes a LocalCluster started, addressable by port, with their node ids.
 *
 * @internal
 */
import { Effect } from "effect"
import type { AdminCommandOptions, AdminError, CommandArgument, RespReply } from "../AdminConnection.ts"
import type { NodeSelector } from "../ClusterNode.ts"
import { ClusterOperationError } from "../ClusterOperationError.ts"
import type { RedisServerProcess } from "../RedisServerProcess.ts"

/** One node the cluster started. */
export interface ClusterMember {
  readonly index: number
  readonly process: RedisServerProcess
  /** From CLUSTER MYID right after start; nodes.conf keeps it across restarts. */
  readonly nodeId: string
}

/** `host:port`, for messages. */
export const memberLabel = (member: ClusterMember): string => `${member.process.host}:${member.process.port}`

/** Runs a command on one member. */
export const runOn = (
  member: ClusterMember,
  args: ReadonlyArray<CommandArgument>,
  options?: AdminCommandOptions
): Effect.Effect<RespReply, AdminError> => member.process.command(args, options)

/** The growing list of members (addNode appends). */
export class ClusterMembers {
  readonly #members: Array<ClusterMember> = []
  #nextIndex = 0

  /** A fresh member index (start order), taken before the member starts so parallel starts never share one. */
  reserveIndex(): number {
    return this.#nextIndex++
  }

  /** Every member, in start order. */
  get all(): ReadonlyArray<ClusterMember> {
    return this.#members
  }

  /** Members whose process runs and is not paused: the ones that can answer. */
  get answering(): ReadonlyArray<ClusterMember> {
    return this.#members.filter((member) => member.process.state === "running")
  }

  /** Registers a member once it has started and has a node id. */
  add(member: ClusterMember): void {
    this.#members.push(member)
  }

  /** The member with this node id, if the cluster started it. */
  byNodeId(nodeId: string): ClusterMember | undefined {
    return this.#members.find((member) => member.nodeId === nodeId)
  }

  /** The member listening on `selector.port`, or a ClusterOperationError naming `operation`. */
  find(selector: NodeSelector, operation: string): Effect.Effect<ClusterMember, ClusterOperationError> {
    const member = this.#members.find((candidate) => candidate.process.port === selector.port)
    return member !== undefined
      ? Effect.succeed(member)
      : Effect.fail(
        new ClusterOperationError({
          operation,
          reason: `no node of this cluster listens on port ${selector.port} (ports: ${
            this.#members.map((m) => m.process.port).join(", ")
          })`
        })
      )
  }

  /** Runs a command on the first answering member that succeeds (for cluster-wide questions). */
  onAnyNode(
    operation: string,
    args: ReadonlyArray<CommandArgument>
  ): Effect.Effect<RespReply, ClusterOperationError | AdminError> {
    const candidates = this.answering
    if (candidates.length === 0) {
      return Effect.fail(new ClusterOperationError({ operation, reason: "no node of the cluster is running" }))
    }
    const attempt = (i: number): Effect.Effect<RespReply, AdminError> =>
      i === candidates.length - 1
        ? runOn(candidates[i]!, args)
        : runOn(candidates[i]!, args).pipe(Effect.catchTag("AdminConnectionError", () => attempt(i + 1)))
    return attempt(0)
  }
}
