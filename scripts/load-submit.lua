-- wrk script of scripts/load-submit.sh: submits prepared drafts, one POST
-- /forms/hundesteuer/absenden per draft, each with its own session cookie
-- and CSRF token (lines `COOKIE<TAB>CSRF` written by load_prepare.py).
--
--   wrk -t2 -c32 -d10s -s scripts/load-submit.lua URL -- DRAFTS THREADS ORIGIN [PAUSE_MS]
--
-- PAUSE_MS (default 0): each connection waits that long after an answer
-- before its next submit, to offer a steadier, lower rate than flat out.
--
-- Thread i takes the lines i, i + THREADS, … When a thread's drafts are
-- all sent, its connections wait (delay()) instead of asking again; a
-- connection that was already due when another took the last draft asks
-- GET /health once (not counted as a submit). wrk calls request() once
-- before the run to check the script: that draft is never sent. done()
-- prints how many submits were answered with the confirmation and how
-- many were not.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local nthreads = tonumber(args[2])
  origin = args[3]
  pause_ms = tonumber(args[4] or "0") or 0
  drafts = {}
  local i = 0
  for line in file:lines() do
    if i % nthreads == id then
      local cookie, csrf = line:match("^([^\t]+)\t(.+)$")
      table.insert(drafts, { cookie, csrf })
    end
    i = i + 1
  end
  file:close()
  next_draft = 1
  confirmed = 0
  refused = 0
end

-- Milliseconds to wait before the next request: PAUSE_MS while drafts
-- are left, then longer than any run.
function delay()
  if drafts[next_draft] == nil then
    return 24 * 3600 * 1000
  end
  return pause_ms
end

function request()
  local draft = drafts[next_draft]
  if draft == nil then
    return wrk.format("GET", "/health")
  end
  next_draft = next_draft + 1
  return wrk.format("POST", wrk.path, {
    ["Cookie"] = draft[1],
    ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "_csrf=" .. draft[2])
end

function response(status, headers, body)
  if status == 200 and body == "ok" then
    return -- GET /health, see above
  end
  local location = headers["Location"] or headers["location"] or ""
  if status == 303 and location:find("/bestaetigung/", 1, true) then
    confirmed = confirmed + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local confirmed_total, refused_total = 0, 0
  for _, thread in ipairs(threads) do
    confirmed_total = confirmed_total + thread:get("confirmed")
    refused_total = refused_total + thread:get("refused")
  end
  io.write(string.format(
    "submit: %d answered with the confirmation, %d otherwise; latency p50 %.2f ms, p99 %.2f ms\n",
    confirmed_total, refused_total,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
