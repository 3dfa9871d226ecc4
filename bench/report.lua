-- Shared by pages.lua and burst.lua: wrk's summary and latency as one JSON line (prefix BENCH_JSON).
local report = {}

local function number(value)
  return string.format("%.3f", value)
end

-- `extra` is a list of already encoded `"key": value` strings added to the object.
function report.print(summary, latency, extra)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local fields = {
    '"requests": ' .. summary.requests,
    '"duration_s": ' .. number(seconds),
    '"rps": ' .. number(summary.requests / seconds),
    '"p50_ms": ' .. number(latency:percentile(50) / 1000),
    '"p95_ms": ' .. number(latency:percentile(95) / 1000),
    '"p99_ms": ' .. number(latency:percentile(99) / 1000),
    '"max_ms": ' .. number(latency.max / 1000),
    '"mean_ms": ' .. number(latency.mean / 1000),
    '"bytes": ' .. summary.bytes,
    -- status: answers outside 2xx/3xx; the others are socket errors.
    string.format('"errors": {"status": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}',
                  errors.status, errors.connect, errors.read, errors.write, errors.timeout),
  }
  for _, field in ipairs(extra or {}) do
    table.insert(fields, field)
  end
  io.write("BENCH_JSON {" .. table.concat(fields, ", ") .. "}\n")
end

return report
