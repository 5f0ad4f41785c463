import { Schema } from "effect"

/**
 * The server does not have the command (or the container command does not have the subcommand): it answered
 * `ERR unknown command '…'` or `ERR unknown subcommand '…'`. Typical when a program written for a newer server
 * (HGETEX on Redis 8.0, CLUSTER SLOT-STATS on Valkey 8) runs against an older one, or against a server without the
 * module that provides the command.
 *
 * The client never guesses from version numbers: the command was sent, and this is the server's own refusal, so
 * nothing ran. `message` is the server's text, unchanged.
 */
export class UnknownCommandError extends Schema.TaggedError<UnknownCommandError>()("UnknownCommandError", {
  /** The command as the client named it, with the subcommand for container commands: `HGETEX`, `CLUSTER SLOT-STATS`. */
  command: Schema.String,
  /** The full error text as the server sent it. */
  message: Schema.String
}) {}

// Redis 7+ and Valkey word it `ERR unknown command 'name', with args beginning with: ...` and
// `ERR unknown subcommand 'name'. Try CLUSTER HELP.`. The quote is required so that Redis 6's
// `ERR Unknown subcommand or wrong number of arguments for ...` (which may be an arity error) is not taken for it.
const unknownCommand = /^ERR unknown (?:sub)?command '/i

/** Whether an error reply's text is the server saying it has no such command or subcommand. */
export const isUnknownCommandMessage = (message: string): boolean => unknownCommand.test(message)
