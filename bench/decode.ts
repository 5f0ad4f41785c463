/**
 * Decoder throughput: @effect-redis/resp's RespDecoder against redis-parser (the RESP2 parser ioredis uses),
 * on the same bytes, fed as one buffer and as 16 KiB chunks (a realistic socket read size). Both decode bulk
 * strings to JavaScript strings (redis-parser with `returnBuffers: false`).
 *
 * Run from the repository root: `node bench/decode.ts` (Node 24 runs the TypeScript directly).
 * Optional: `ROUNDS=9 MIN_ROUND_MS=300 node bench/decode.ts`.
 */
import { Buffer } from "node:buffer"
import { createRequire } from "node:module"
import { RespDecoder } from "@effect-redis/resp"

/** The part of redis-parser's API used here (it ships no types). */
interface RedisParser {
  execute(buffer: Buffer): void
}
type RedisParserConstructor = new (options: {
  readonly returnReply: (reply: unknown) => void
  readonly returnError: (error: unknown) => void
  readonly returnFatalError: (error: unknown) => void
  readonly returnBuffers: boolean
}) => RedisParser

const Parser = createRequire(import.meta.url)("redis-parser") as RedisParserConstructor

const ROUNDS = Number(process.env["ROUNDS"] ?? 7)
const MIN_ROUND_MS = Number(process.env["MIN_ROUND_MS"] ?? 200)
const CHUNK_SIZE = 16 * 1024

/** Deterministic ASCII payload of `length` bytes. */
const payload = (length: number, seed: number): string => {
  let text = ""
  for (let i = 0; i < length; i++) text += String.fromCharCode(97 + ((i * 7 + seed * 13) % 26))
  return text
}

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`

interface Workload {
  readonly name: string
  readonly bytes: Buffer
  /** Top-level replies in `bytes`. */
  readonly replies: number
}

const workloads: ReadonlyArray<Workload> = [
  {
    name: "10k bulk strings of 32 B",
    bytes: Buffer.from(Array.from({ length: 10_000 }, (_, i) => bulk(payload(32, i))).join("")),
    replies: 10_000
  },
  {
    name: "bulk strings of 64 KiB (x64)",
    bytes: Buffer.from(Array.from({ length: 64 }, (_, i) => bulk(payload(64 * 1024, i))).join("")),
    replies: 64
  },
  {
    name: "mixed +OK / :integer / $3 foo (10k each)",
    bytes: Buffer.from(Array.from({ length: 10_000 }, (_, i) => `+OK\r\n:${i * 37}\r\n$3\r\nfoo\r\n`).join("")),
    replies: 30_000
  },
  {
    name: "arrays of 100 bulk strings of 16 B (x1000)",
    bytes: Buffer.from(
      Array.from({ length: 1000 }, (_, i) => `*100\r\n${Array.from({ length: 100 }, (_, j) => bulk(payload(16, i + j))).join("")}`).join("")
    ),
    replies: 1000
  }
]

const chunksOf = (bytes: Buffer, size: number): ReadonlyArray<Buffer> => {
  const chunks: Array<Buffer> = []
  // Copies, as socket reads are separate buffers (views would flatter a parser that concatenates).
  for (let i = 0; i < bytes.length; i += size) chunks.push(Buffer.from(bytes.subarray(i, i + size)))
  return chunks
}

/** Decodes every chunk once and returns the number of replies seen. */
type Decode = (chunks: ReadonlyArray<Buffer>) => number

const decodeWithOurs: Decode = (chunks) => {
  let replies = 0
  const decoder = new RespDecoder({
    onReply: () => {
      replies++
    },
    onPush: () => {},
    onError: (error) => {
      throw error
    }
  })
  for (const chunk of chunks) decoder.feed(chunk)
  return replies
}

const decodeWithRedisParser: Decode = (chunks) => {
  let replies = 0
  const parser = new Parser({
    returnReply: () => {
      replies++
    },
    returnError: () => {
      replies++
    },
    returnFatalError: (error) => {
      throw error
    },
    returnBuffers: false
  })
  for (const chunk of chunks) parser.execute(chunk)
  return replies
}

/** Runs `decode` repeatedly for at least MIN_ROUND_MS and returns the seconds per pass. */
const timeRound = (decode: Decode, chunks: ReadonlyArray<Buffer>, expected: number): number => {
  let passes = 0
  const started = process.hrtime.bigint()
  let elapsed = 0
  do {
    const replies = decode(chunks)
    if (replies !== expected) throw new Error(`decoded ${replies} replies, expected ${expected}`)
    passes++
    elapsed = Number(process.hrtime.bigint() - started) / 1e9
  } while (elapsed * 1000 < MIN_ROUND_MS)
  return elapsed / passes
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

interface Row {
  readonly workload: string
  readonly feed: string
  readonly oursMBs: number
  readonly oursReplies: number
  readonly parserMBs: number
  readonly parserReplies: number
}

const rows: Array<Row> = []
for (const workload of workloads) {
  for (const [feed, chunks] of [["one buffer", [workload.bytes]], ["16 KiB chunks", chunksOf(workload.bytes, CHUNK_SIZE)]] as const) {
    // Warm up both (JIT), then alternate rounds so that machine noise hits both alike.
    timeRound(decodeWithOurs, chunks, workload.replies)
    timeRound(decodeWithRedisParser, chunks, workload.replies)
    const ours: Array<number> = []
    const theirs: Array<number> = []
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(timeRound(decodeWithOurs, chunks, workload.replies))
      theirs.push(timeRound(decodeWithRedisParser, chunks, workload.replies))
    }
    const oursSeconds = median(ours)
    const theirSeconds = median(theirs)
    const megabytes = workload.bytes.length / (1024 * 1024)
    rows.push({
      workload: workload.name,
      feed,
      oursMBs: megabytes / oursSeconds,
      oursReplies: workload.replies / oursSeconds,
      parserMBs: megabytes / theirSeconds,
      parserReplies: workload.replies / theirSeconds
    })
  }
}

const fixed = (n: number, digits: number): string => n.toFixed(digits)
const replyRate = (n: number): string => (n >= 1e6 ? `${fixed(n / 1e6, 2)} M` : n >= 1e3 ? `${fixed(n / 1e3, 1)} k` : fixed(n, 0))

console.log(`Node ${process.version}, median of ${ROUNDS} rounds of >= ${MIN_ROUND_MS} ms each\n`)
console.log("| workload | feed | ours MB/s | ours replies/s | redis-parser MB/s | redis-parser replies/s | ours / redis-parser |")
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for (const row of rows) {
  console.log(
    `| ${row.workload} | ${row.feed} | ${fixed(row.oursMBs, 1)} | ${replyRate(row.oursReplies)} | ${fixed(row.parserMBs, 1)} | ${
      replyRate(row.parserReplies)
    } | ${fixed(row.oursMBs / row.parserMBs, 2)} |`
  )
}
