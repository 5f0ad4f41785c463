import { defineCommand } from "../../Command.ts"
import { CommandFlags } from "../CommandFlags.ts"
import { noKeys } from "../KeyPositions.ts"
import * as Replies from "../../Replies.ts"

/** PING [message]: `PONG`, or the message echoed. */
export const ping = defineCommand({
  name: "PING", flags: CommandFlags.readonly, keys: noKeys, reply: Replies.status,
  args: (message?: string) => (message === undefined ? ["PING"] : ["PING", message])
})

/** ECHO message: the message. */
export const echo = defineCommand({
  name: "ECHO", flags: CommandFlags.readonly, keys: noKeys, reply: Replies.string,
  args: (message: string) => ["ECHO", message]
})
