-- The burst: one POST per (cookie, form) line of a file, each from a different agent, then stop.
--   wrk -t1 -c50 -s burst.lua URL -- PAIRS_FILE MARKER_FILE COUNT PATH USER_AGENT
-- Once every line is sent, request() returns an empty string: the connection sends nothing more
-- and waits. After COUNT answers the thread stops and writes MARKER_FILE, so the caller can end
-- wrk at once (wrk itself would sleep until -d).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
local report = dofile(here .. "report.lua")

local threads = {}
local lines, sent, limit, marker, path, agent = {}, 0, 0, nil, nil, nil
received, landed, statuses = 0, 0, {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local cookie, body = line:match("^([^\t]+)\t(.+)$")
    if cookie then
      table.insert(lines, { cookie, body })
    end
  end
  file:close()
  marker, limit, path, agent = args[2], math.min(tonumber(args[3]), #lines), args[4], args[5]
end

local function post(line)
  return wrk.format("POST", path, {
    ["Cookie"] = "session=" .. line[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = agent,
  }, line[2])
end

-- wrk calls request() once right after init() to check the script (requests per call, for
-- pipelining); nothing is sent then, so that first call does not use up a line.
local verified = false

function request()
  if not verified then
    verified = true
    return post(lines[1])
  end
  if sent >= limit then
    return ""
  end
  sent = sent + 1
  return post(lines[sent])
end

function response(status, headers, body)
  received = received + 1
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  local location = headers["Location"] or headers["location"] or ""
  if location:find("/my/sign%-ups") then
    landed = landed + 1
  end
  if received >= limit then
    local file = io.open(marker, "w")
    file:write(tostring(received))
    file:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local thread = threads[1]
  local counts = {}
  for status, count in pairs(thread:get("statuses") or {}) do
    table.insert(counts, string.format('"%s": %d', status, count))
  end
  report.print(summary, latency, {
    '"answers": ' .. (thread:get("received") or 0),
    '"landed_on_my_signups": ' .. (thread:get("landed") or 0),
    '"statuses": {' .. table.concat(counts, ", ") .. "}",
  })
end
