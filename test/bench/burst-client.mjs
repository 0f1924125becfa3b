/**
 * The burst's client, in its own process like a real one (so its work does not queue on the
 * runtime's event loop): `total` requests, `concurrency` in flight, a fixed mix of
 * POST /contacts with Idempotency-Key (every tenth repeats an answered key and body, and must get
 * the same contact back), GET /contacts/{id} and GET /contacts?limit=25.
 * Config in env BENCH_BURST (JSON); prints one JSON document: every request's kind, status, time.
 */
const { url, token, ids, total, concurrency, run } = JSON.parse(process.env.BENCH_BURST ?? '{}')

const known = [...ids]
const answered = [] // keyed POSTs answered 201: { key, body, id }
const results = []
const repeats = { sent: 0, same: 0, other: [] }
let next = 0
let posts = 0

function plan(i) {
  const slot = i % 4
  if (slot === 1 || slot === 3) {
    return { kind: 'GET /contacts/{id}', method: 'GET', path: `/contacts/${known[i % known.length]}` }
  }
  if (slot === 2) return { kind: 'GET /contacts?limit=25', method: 'GET', path: '/contacts?limit=25' }
  const p = posts++
  const earlier = p % 10 === 9 && answered.length ? answered[p % answered.length] : undefined
  if (earlier) return { kind: 'POST /contacts', method: 'POST', path: '/contacts', ...earlier, repeat: true }
  const body = {
    firstName: `Burst ${p}`,
    lastName: 'Srisuk',
    emails: [{ address: `burst-${run}-${p}@example.com` }],
    tags: ['burst'],
  }
  return { kind: 'POST /contacts', method: 'POST', path: '/contacts', key: `burst-${run}-${p}`, body }
}

async function one(i) {
  const req = plan(i)
  const headers = { authorization: `Bearer ${token}`, 'x-bench-id': `burst-${i}` }
  if (req.body) {
    headers['content-type'] = 'application/json'
    headers['idempotency-key'] = req.key
  }
  const started = performance.now()
  let status = 0
  let text = ''
  try {
    const res = await fetch(new URL(req.path, url), {
      method: req.method,
      headers,
      body: req.body ? JSON.stringify(req.body) : undefined,
    })
    status = res.status
    text = await res.text()
  } catch (err) {
    text = String(err)
  }
  const ms = performance.now() - started
  results.push({ i, kind: req.kind, status, ms })
  if (req.method === 'POST' && (status === 200 || status === 201)) {
    const id = JSON.parse(text).id
    if (req.repeat) {
      repeats.sent++
      if (id === req.id) repeats.same++
      else repeats.other.push({ key: req.key, first: req.id, again: id, status })
    } else {
      answered.push({ key: req.key, body: req.body, id })
      known.push(id)
    }
  } else if (req.repeat) {
    repeats.sent++
    repeats.other.push({ key: req.key, first: req.id, status })
  }
}

const started = performance.now()
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < total; i = next++) await one(i)
  }),
)
process.stdout.write(JSON.stringify({ wallMs: performance.now() - started, results, repeats }))
