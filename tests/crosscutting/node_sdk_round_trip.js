// Drives PostHog's Node SDK (posthog-node) against a server, for
// tests/crosscutting/test_capture_node_sdk.py.
//
//   node node_sdk_round_trip.js <plan.json> <folder holding node_modules/posthog-node>
//
// The plan: {"host", "token", "options", "steps": [{"call", "args"}]}, each step one call
// of the SDK's public API ("flush" takes no args). A "timestamp" arg is an ISO 8601 string
// (any zone) and is handed to the SDK as a Date, as its types ask.
//
// Prints one JSON object: {"requests": [...], "errors": [...]}: every request the SDK made,
// as it went on the wire (path, headers that matter, the body inflated and parsed, the
// answer's status), and every error the SDK reported. Exits 1 on an error.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')

const [planPath, sdkFolder] = process.argv.slice(2)
const { PostHog } = require(path.join(sdkFolder, 'node_modules', 'posthog-node'))
const plan = JSON.parse(fs.readFileSync(planPath, 'utf8'))

const requests = []
const errors = []

// Records each request as sent; the SDK's own fetch does the sending.
async function recordingFetch(url, options) {
  const headers = options.headers || {}
  const encoding = headers['Content-Encoding'] || ''
  let raw = Buffer.from(options.body)
  if (encoding === 'gzip') raw = zlib.gunzipSync(raw)
  const response = await fetch(url, options)
  requests.push({
    method: options.method,
    path: new URL(url).pathname,
    content_encoding: encoding,
    body: JSON.parse(raw.toString('utf8')),
    status: response.status,
  })
  return response
}

function withDates(args) {
  return args.timestamp === undefined ? args : { ...args, timestamp: new Date(args.timestamp) }
}

async function main() {
  const client = new PostHog(plan.token, {
    host: plan.host,
    fetch: recordingFetch,
    fetchRetryCount: 0,
    ...plan.options,
  })
  client.on('error', (error) => errors.push(String(error && error.stack ? error.stack : error)))
  for (const step of plan.steps) {
    if (step.call === 'flush') {
      await client.flush()
    } else if (step.call.endsWith('Immediate')) {
      await client[step.call](withDates(step.args))
    } else {
      client[step.call](withDates(step.args))
    }
  }
  await client.shutdown()
  process.stdout.write(JSON.stringify({ requests, errors }))
  process.exitCode = errors.length ? 1 : 0
}

main().catch((error) => {
  errors.push(String(error && error.stack ? error.stack : error))
  process.stdout.write(JSON.stringify({ requests, errors }))
  process.exitCode = 1
})
