/**
 * `parseRedisUrl` and the option checks, without a server: what a URL may hold, and for everything else a
 * `ConfigurationError` on the right field whose reason names the part at fault and whose value never shows a
 * password.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigurationError } from "@effect-redis/client"
import { checkConnectionOptions, checkKnownOptions, connectionOptionKeys, parseRedisUrl, redactUrl } from "@effect-redis/client/Connection"
import { Redacted, Result } from "effect"

const parsed = (url: string) => {
  const result = parseRedisUrl(url)
  if (Result.isFailure(result)) throw new Error(`expected ${url} to parse: ${result.failure.message}`)
  return result.success
}

const refused = (url: string): ConfigurationError => {
  const result = parseRedisUrl(url)
  if (Result.isSuccess(result)) throw new Error(`expected ${url} to be refused`)
  return result.failure
}

describe("parseRedisUrl", () => {
  it("reads hosts, ports (default 6379), TLS, credentials and the database", () => {
    assert.deepStrictEqual(parsed("redis://cache.local"), { nodes: [{ host: "cache.local", port: 6379 }], options: {} })
    const full = parsed("rediss://app:s3cret@10.0.0.1:7000,10.0.0.2:7001/0")
    assert.deepStrictEqual(full.nodes, [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }])
    assert.strictEqual(full.options.tls, true)
    assert.strictEqual(full.options.username, "app")
    assert.strictEqual(Redacted.value(full.options.password!), "s3cret")
    assert.strictEqual(full.options.database, 0)
    assert.deepStrictEqual(parsed("redis://[::1]:6380/3").nodes, [{ host: "::1", port: 6380 }])
    assert.strictEqual(parsed("REDIS://h:1/12").options.database, 12)
    // A password with reserved characters, percent-encoded or (for @ and /) raw.
    assert.strictEqual(Redacted.value(parsed("redis://:p%40ss%2Fw%3Ad@h").options.password!), "p@ss/w:d")
    assert.strictEqual(Redacted.value(parsed("redis://u:p@ss/w@h:1").options.password!), "p@ss/w")
    assert.isUndefined(parsed("redis://:pw@h").options.username)
  })

  it("a wrong scheme, host, port, database path, query or fragment is a ConfigurationError on `url` naming the part", () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ["http://h:6379", /unsupported scheme "http:"/],
      ["h:6379", /not a URL/],
      ["redis://", /no host/],
      ["redis://h:0", /port "0" of "h:0" is not a port number/],
      ["redis://h:70000", /port "70000"/],
      ["redis://h:abc", /port "abc"/],
      ["redis://h:", /port ""/],
      ["redis://a:1,,b:2", /"" has no host/],
      ["redis://bad host:1", /host "bad host"/],
      ["redis://h/notadb", /database "notadb" in the path is not a database index/],
      ["redis://h/-1", /database "-1"/],
      ["redis://h/1/2", /database "1\/2"/],
      ["redis://h?protocol=3", /unknown option "protocol" in the query/],
      ["redis://h#top", /no #fragment/]
    ]
    for (const [url, reason] of cases) {
      const error = refused(url)
      assert.instanceOf(error, ConfigurationError, url)
      assert.strictEqual(error.field, "url", url)
      assert.strictEqual(error.value, JSON.stringify(url), url)
      assert.match(error.reason, reason, url)
      assert.include(error.message, error.reason)
    }
  })

  it("never shows the password of a URL it refuses", () => {
    for (const url of ["http://app:hunter2@h", "redis://app:hunter2@h:99999", "redis://app:hunter2@h/x", "redis://app:%zzhunter2@h", "redis://app:hunter2@h?x=1"]) {
      const error = refused(url)
      assert.notInclude(error.value, "hunter2", url)
      assert.notInclude(error.message, "hunter2", url)
      assert.include(error.value, "app:***@", url)
    }
    assert.strictEqual(redactUrl("redis://u:p@ss@h:1/2"), "redis://u:***@h:1/2")
    assert.strictEqual(redactUrl("redis://h:1"), "redis://h:1")
    assert.strictEqual(redactUrl("redis://user@h:1"), "redis://user@h:1")
  })
})

describe("option checks", () => {
  it("unknown options are named, with the close known name when there is one", () => {
    const typo = checkKnownOptions({ comandTimeout: "1 second" }, connectionOptionKeys)!
    assert.strictEqual(typo.field, "comandTimeout")
    assert.strictEqual(typo.value, '"1 second"')
    assert.match(typo.reason, /unknown option; did you mean commandTimeout\?/)
    assert.strictEqual(checkKnownOptions({ zzz: 1 }, connectionOptionKeys)!.reason, "unknown option")
    assert.isUndefined(checkKnownOptions({ commandTimeout: undefined, tls: true }, connectionOptionKeys))
  })

  it("values out of range or of the wrong type name their option; secrets are never shown", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string, RegExp]> = [
      [{ protocol: 4 }, "protocol", /2 \(RESP2\) or 3/],
      [{ database: -1 }, "database", /integer at least 0/],
      [{ database: 1.5 }, "database", /integer/],
      [{ connectTimeout: "soon" }, "connectTimeout", /duration/],
      [{ connectTimeout: Infinity }, "connectTimeout", /finite/],
      [{ commandTimeout: -5 }, "commandTimeout", /negative/],
      [{ commandTimeout: 0 }, "commandTimeout", /more than zero/],
      [{ commandTimeout: NaN }, "commandTimeout", /duration/],
      [{ maxBlockingConnections: 0 }, "maxBlockingConnections", /at least 1/],
      [{ maxBulkLength: 0 }, "maxBulkLength", /at least 1/],
      [{ clientName: "has space" }, "clientName", /without spaces/],
      [{ tls: "yes" }, "tls", /true, false/],
      [{ username: "app" }, "username", /needs|only with a password/],
      [{ password: "plain-secret" }, "password", /Redacted/]
    ]
    for (const [options, field, reason] of cases) {
      const error = checkConnectionOptions(options as never)
      assert.isDefined(error, field)
      assert.strictEqual(error!.field, field)
      assert.match(error!.reason, reason, field)
      assert.notInclude(error!.message, "plain-secret")
    }
    assert.isUndefined(checkConnectionOptions({ commandTimeout: Infinity, keepAlive: false, database: 3, protocol: 2 }))
    assert.isUndefined(checkConnectionOptions({ username: "app", password: Redacted.make("x"), clientName: "worker-1" }))
  })
})
