/**
 * One-shot checks of cluster states the test kit waits for. Each asks every answering member and returns an
 * Observation: done, or a short description of what each lagging node said, which ends up in the
 * WaitTimeoutError if the state never comes.
 *
 * Paused and exited members are left out: they cannot answer, and the states are about the cluster that is
 * still up.
 *
 * @internal
 */
import { Effect } from "effect"
import { type ClusterMember, type ClusterMembers, memberLabel, runOn } from "./ClusterMembers.ts"
import { parseClusterNodes, parseInfoFields, slotMapFingerprint } from "./ClusterReplies.ts"
import { notYet, type Observation, reached } from "./RealTime.ts"

/** A reply within this time, or the node counts as lagging for this round. */
const checkTimeoutMs = 1000

const askEach = <A>(
  members: ClusterMembers,
  ask: (member: ClusterMember) => Effect.Effect<A, unknown>
): Effect.Effect<ReadonlyArray<{ readonly member: ClusterMember; readonly answer: A | { readonly failed: string } }>> =>
  Effect.forEach(
    members.answering,
    (member) =>
      ask(member).pipe(
        Effect.map((answer) => ({ member, answer })),
        Effect.catch((error) =>
          Effect.succeed({ member, answer: { failed: error instanceof Error ? error.message : String(error) } })
        )
      ),
    { concurrency: "unbounded" }
  )

const isFailed = (answer: unknown): answer is { readonly failed: string } =>
  typeof answer === "object" && answer !== null && "failed" in answer

const summarize = (problems: ReadonlyArray<string>): Observation<void> =>
  problems.length === 0 ? reached(undefined) : notYet(problems.join("; "))

/**
 * Asks every answering member the same command and collects one problem per member: its failure, or what
 * `inspect` finds wrong with its reply (`undefined` when the member is fine).
 */
const checkEach = (
  members: ClusterMembers,
  command: ReadonlyArray<string>,
  inspect: (member: ClusterMember, reply: string) => string | undefined
): Effect.Effect<Observation<void>> =>
  Effect.map(askEach(members, (member) => runOn(member, command, { timeoutMs: checkTimeoutMs })), (answers) => {
    const problems: Array<string> = []
    for (const { answer, member } of answers) {
      const problem = isFailed(answer) ? `${memberLabel(member)}: ${answer.failed}` : inspect(member, String(answer))
      if (problem !== undefined) problems.push(problem)
    }
    return summarize(problems)
  })

/**
 * Every answering member lists every other answering member as a full member (handshake done, address
 * known, link connected, not flagged PFAIL/FAIL).
 */
export const allKnowEachOther = (members: ClusterMembers): Effect.Effect<Observation<void>> =>
  checkEach(members, ["CLUSTER", "NODES"], (member, reply) => {
    const entries = parseClusterNodes(reply)
    const missing = members.answering.filter((other) => {
      const entry = entries.find((candidate) => candidate.nodeId === other.nodeId)
      return entry === undefined || entry.joining || !entry.connected || entry.failing
    })
    return missing.length > 0
      ? `${memberLabel(member)} does not yet see ${missing.map(memberLabel).join(", ")} as healthy`
      : undefined
  })

/** Every answering member reports `cluster_state:ok`. */
export const clusterStateOk = (members: ClusterMembers): Effect.Effect<Observation<void>> =>
  checkEach(members, ["CLUSTER", "INFO"], (member, reply) => {
    const state = parseInfoFields(reply).get("cluster_state")
    return state === "ok" ? undefined : `${memberLabel(member)} cluster_state:${state ?? "?"}`
  })

/** Every answering member returns the same CLUSTER SLOTS (same ranges, primaries and replicas). */
export const slotMapsAgree = (members: ClusterMembers): Effect.Effect<Observation<void>> =>
  Effect.gen(function*() {
    const answers = yield* askEach(members, (member) => runOn(member, ["CLUSTER", "SLOTS"], { timeoutMs: checkTimeoutMs }))
    const views = new Map<string, Array<string>>()
    const problems: Array<string> = []
    for (const { answer, member } of answers) {
      if (isFailed(answer)) {
        problems.push(`${memberLabel(member)}: ${answer.failed}`)
        continue
      }
      const fingerprint = slotMapFingerprint(answer)
      views.set(fingerprint, [...(views.get(fingerprint) ?? []), memberLabel(member)])
    }
    if (views.size > 1) {
      problems.push(
        `${views.size} different slot maps: ${[...views].map(([map, labels]) => `${labels.join(",")} => ${map}`).join(" | ")}`
      )
    }
    return summarize(problems)
  })

/** Every answering replica has `master_link_status:up` (its initial sync is done). */
export const replicasInSync = (members: ClusterMembers): Effect.Effect<Observation<void>> =>
  checkEach(members, ["INFO", "replication"], (member, reply) => {
    const fields = parseInfoFields(reply)
    return fields.get("role") === "slave" && fields.get("master_link_status") !== "up"
      ? `${memberLabel(member)} master_link_status:${fields.get("master_link_status") ?? "?"}`
      : undefined
  })
