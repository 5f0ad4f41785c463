/**
 * Regenerates docs/commands.md from the checked-in command catalog, the `Redis` builders and the cluster
 * routing table (`node scripts/generate-command-docs.ts`; `generate-catalog.ts` runs it after a new catalog).
 */
import { writeCommandDocs } from "./catalog/commandDocs.ts"

console.log(`[catalog] ${await writeCommandDocs()}`)
